"""Character-level GRU language model step: the same workload as ``char_lstm`` (one-hot 65,
hidden 256, batch 32 × sequence 64, Adam, 100 iterations) with a GRU (PyTorch's reset_after
formulation) in place of the LSTM.
"""
from bench.workloads.char_lstm import setup, train_nnscratch, train_numpy, train_torch, warmup  # noqa: F401

TITLE = ("char GRU: one-hot 65 -> GRU(256) -> linear(65), cross-entropy, Adam, "
         "batch 32 × seq 64, 100 iterations")
TARGET = 1.0
FLOOR_TARGET = 1.1     # nnscratch / the hand-written NumPy loop
GEMM_ROWS = None    # its rows in bench/gemm_threads.py's SHAPES
GAP = """Two thirds of the step is GEMM, the same products torch computes (OpenBLAS here,
oneDNN/MKL in torch: see `char_lstm`'s line on this machine's GEMMs). With the compiled kernels
(column `kernels`) the cell's elementwise work is one compiled loop per time step each way (the
float32 forward with its own vectorised tanh, at most 6 ULP from the correctly rounded value;
the backward bit for bit the NumPy path's) instead of about 11 and 17 NumPy calls. With one
thread each (process CPU time, processes interleaved, 5 rounds of 10 steps on a loaded machine;
2026-12-07) the step takes 57.5 ms (52.1-64.3) against torch's 98.4 ms (78.9-99.0)."""
ROUNDS = 7
KERNELS = True        # also timed on the NumPy reference path (nnscratch_numpy)
CELL = "GRU"


def run_nnscratch(data):
    return train_nnscratch(data, CELL)


def run_torch(data):
    return train_torch(data, CELL)


def run_numpy(data):
    return train_numpy(data, CELL)

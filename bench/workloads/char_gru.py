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
GAP = """Two thirds of the step is GEMM, which OpenBLAS runs slower than torch's Intel MKL
on the LSTM's similar shapes (`char_lstm`), and the cell's elementwise work is many small NumPy
calls per time step, each paying NumPy's per-call cost."""
ROUNDS = 7
KERNELS = True        # also timed on the NumPy reference path (nnscratch_numpy)
CELL = "GRU"


def run_nnscratch(data):
    return train_nnscratch(data, CELL)


def run_torch(data):
    return train_torch(data, CELL)


def run_numpy(data):
    return train_numpy(data, CELL)

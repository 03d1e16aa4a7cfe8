"""Batches of sequences of different lengths, as torch.nn.utils.rnn.

A :class:`PackedSequence` keeps only the real steps of a batch: the sequences sorted by
decreasing length, and for each time step t the ``batch_sizes[t]`` sequences still running,
their rows stacked one step after the other in ``data`` ``(Σ lengths, *)``.  The recurrent
layers take it in place of a padded batch: each sequence's state stops at its own last step
(``h_n`` is the state there, not after the padding), and a bidirectional layer's reverse
direction starts at each sequence's real end instead of in its padding.

    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, h_n = lstm(packed)
    out, lengths = pad_packed_sequence(out, batch_first=True)

All conversions are differentiable (gathers and scatters of whole rows).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import ops
from ...autograd import fused
from ...ops.shape import unindex
from ...tensor import Tensor
from ...tensor import as_tensor as _as_tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence"]


class PackedSequence(NamedTuple):
    """``data`` ``(Σ lengths, *)`` rows in step-major order; ``batch_sizes`` ``(T,)`` the
    number of sequences running at each step; ``sorted_indices`` (None if the batch came
    sorted) maps the sorted order to the caller's batch positions, ``unsorted_indices`` back."""
    data: Tensor
    batch_sizes: np.ndarray
    sorted_indices: np.ndarray | None = None
    unsorted_indices: np.ndarray | None = None

    @property
    def lengths(self) -> np.ndarray:
        """Each sequence's length, in the caller's batch order."""
        n = int(self.batch_sizes[0])
        sorted_lengths = (self.batch_sizes[None, :] > np.arange(n)[:, None]).sum(axis=1)
        if self.unsorted_indices is None:
            return sorted_lengths
        return sorted_lengths[self.unsorted_indices]


# --------------------------------------------------------------------- row gathers/scatters

@fused(linear=True)   # both VJPs: linear in g, recorded as they are under create_graph
def take_rows(x, *, index):
    """``x[index]`` along axis 0, with distinct ``index`` values (a permutation or a subset),
    so the backward pass is a plain scatter."""
    return x[index], lambda g: (unindex(g, x.shape, index, False),)


@fused(linear=True)
def put_rows(x, *, index, rows, fill=0.0):
    """A ``(rows, *)`` array of ``fill`` with ``out[index] = x`` (distinct ``index``)."""
    out = np.full((rows,) + x.shape[1:], fill, dtype=x.dtype)
    out[index] = x
    return out, lambda g: (g[index],)


def step_major_rows(batch_sizes, n):
    """Rows ``t·n + b`` of a time-major ``(T, n)`` grid for each real step, in packed order."""
    t, b = np.nonzero(np.arange(n)[None, :] < np.asarray(batch_sizes)[:, None])
    return t * n + b


def reversed_rows(batch_sizes, n):
    """The permutation of a time-major ``(T, n)`` grid that reverses each sequence within its
    own length (padding rows stay put): what the reverse direction reads."""
    bs = np.asarray(batch_sizes)
    T = len(bs)
    lengths = (bs[None, :] > np.arange(n)[:, None]).sum(axis=1)
    t = np.arange(T)[:, None]
    src_t = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    return (src_t * n + np.arange(n)[None, :]).reshape(-1)


# --------------------------------------------------------------------- public functions

def _lengths(lengths, n, T, owner):
    arr = np.asarray(getattr(lengths, "_data", lengths))
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{owner}: lengths must be 1-D with one length per sequence ({n}), "
                         f"got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind != "f" or not np.all(arr == np.round(arr)):
            raise TypeError(f"{owner}: lengths must be integers, got {arr.dtype} {arr!r}")
    arr = arr.astype(np.int64)
    if arr.min() < 1 or arr.max() > T:
        raise ValueError(f"{owner}: lengths must be in [1, {T}] (the padded length), got "
                         f"min {arr.min()}, max {arr.max()}")
    return arr


def pack_padded_sequence(input, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, N, *)`` (``(N, T, *)`` if batch_first) whose sequence n has
    ``lengths[n]`` real steps; matches torch.nn.utils.rnn.pack_padded_sequence.

    With ``enforce_sorted`` the lengths must already decrease; otherwise the batch is sorted
    here (stably) and the order is restored by :func:`pad_packed_sequence` and the layers'
    ``h_n``.
    """
    owner = "pack_padded_sequence"
    x = input if isinstance(input, Tensor) else _as_tensor(np.asarray(input))
    if x.ndim < 2:
        raise ValueError(f"{owner}: input must be at least 2-D (T, N, *), got shape "
                         f"{tuple(x.shape)}")
    if batch_first:
        x = x.permute(1, 0, *range(2, x.ndim))
    T, n = x.shape[:2]
    lens = _lengths(lengths, n, T, owner)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise ValueError(f"{owner}: lengths must be in decreasing order with "
                             f"enforce_sorted=True, got {lens.tolist()}; pass "
                             f"enforce_sorted=False to sort them here")
        sorted_idx = unsorted_idx = None
    else:
        sorted_idx = np.argsort(-lens, kind="stable")
        unsorted_idx = np.argsort(sorted_idx)
        lens = lens[sorted_idx]
    batch_sizes = (lens[None, :] > np.arange(lens[0])[:, None]).sum(axis=1)
    rows = step_major_rows(batch_sizes, n)
    t, b = rows // n, rows % n
    if sorted_idx is not None:
        b = sorted_idx[b]
    flat = x.reshape(T * n, *x.shape[2:])
    data = take_rows(flat, index=t * n + b)
    return PackedSequence(data, batch_sizes.astype(np.int64), sorted_idx, unsorted_idx)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """The inverse of :func:`pack_padded_sequence`: ``(padded, lengths)``, padded
    ``(T, N, *)`` (``(N, T, *)`` if batch_first) in the caller's batch order, ``lengths`` an
    int64 array; matches torch.nn.utils.rnn.pad_packed_sequence."""
    owner = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{owner}: expected a PackedSequence, got {type(sequence).__name__}")
    bs = np.asarray(sequence.batch_sizes)
    n, T = int(bs[0]), len(bs)
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"{owner}: total_length must be >= the longest sequence ({T}), "
                             f"got {total_length}")
        T = int(total_length)
    rows = step_major_rows(bs, n)
    t, b = rows // n, rows % n
    if sequence.sorted_indices is not None:
        b = np.asarray(sequence.sorted_indices)[b]
    data = sequence.data
    padded = put_rows(data, index=t * n + b, rows=T * n, fill=padding_value)
    padded = padded.reshape(T, n, *data.shape[1:])
    if batch_first:
        padded = padded.permute(1, 0, *range(2, padded.ndim))
    return padded, sequence.lengths.astype(np.int64)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0):
    """Stack tensors ``(L_i, *)`` into ``(T, N, *)`` (``(N, T, *)`` if batch_first), padding
    each to the longest with ``padding_value``; matches torch.nn.utils.rnn.pad_sequence."""
    owner = "pad_sequence"
    seqs = [s if isinstance(s, Tensor) else _as_tensor(np.asarray(s)) for s in sequences]
    if not seqs:
        raise ValueError(f"{owner}: expected at least one sequence")
    tail = seqs[0].shape[1:]
    for i, s in enumerate(seqs):
        if s.ndim < 1 or s.shape[1:] != tail:
            raise ValueError(f"{owner}: every sequence must be (L, {', '.join(map(str, tail))})"
                             f", got shape {tuple(s.shape)} at position {i}")
    T = max(s.shape[0] for s in seqs)
    rest = [(0, 0)] * len(tail)
    padded = [ops.pad_axes(s, [(0, T - s.shape[0])] + rest, padding_value) for s in seqs]
    return ops.stack(padded, axis=0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors ``(L_i, *)``; matches torch.nn.utils.rnn.pack_sequence."""
    lengths = [len(s) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)

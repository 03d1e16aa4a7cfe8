"""Character-level language modelling: vocabulary, a char-RNN model, truncated-BPTT batches,
bits-per-character and sampling (001 §10.7, after Karpathy's char-rnn).

A model here is anything with a ``vocab`` (:class:`CharVocab`) whose ``forward(ids, state)``
maps integer ids ``(N, T)`` and a recurrent state (or None) to logits ``(N, T, V)`` and the new
state; :class:`CharRNN` is the standard one.
"""
from __future__ import annotations

import numpy as np

from . import nn, ops
from . import random as _random
from ._checks import check_int
from .autograd import no_grad
from .nn.recurrent import detach_state
from .tensor import Tensor
from .tensor import as_tensor as _as_tensor


class CharVocab:
    """The sorted set of characters of a text; ``encode``/``decode`` map str <-> int ids."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError("CharVocab: text must be a non-empty str")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str, name: str = "text") -> np.ndarray:
        """int64 ids of ``text``; characters outside the vocabulary are a ValueError."""
        if not isinstance(text, str):
            raise TypeError(f"encode: {name} must be a str, got {type(text).__name__}")
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"{name} has characters outside the vocabulary of "
                             f"{len(self)} characters: {''.join(unknown)!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(ids).reshape(-1))


class CharRNN(nn.Module):
    """Character language model: input (one-hot or embedding) -> RNN/LSTM/GRU -> Linear.

    Args:
        vocab: the :class:`CharVocab` (its size V is the input and output size).
        hidden_size: H of the recurrent layer(s).
        cell: ``"lstm"`` (default), ``"gru"`` or ``"rnn"``.
        num_layers, dropout: of the recurrent stack (dropout between layers and before the head).
        embedding_dim: if given, an ``Embedding(V, embedding_dim)`` feeds the RNN; otherwise
            one-hot vectors do (as in char-rnn).

    Shape: ids ``(N, T)`` int -> logits ``(N, T, V)``, state as the recurrent layer's.
    """

    def __init__(self, vocab: CharVocab, hidden_size: int = 256, cell: str = "lstm",
                 num_layers: int = 1, embedding_dim: int | None = None, dropout: float = 0.0):
        cells = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
        if cell not in cells:
            raise ValueError(f"CharRNN: cell must be one of {sorted(cells)}, got {cell!r}")
        self.vocab = vocab
        V = len(vocab)
        self.cell = cell
        self.embedding = nn.Embedding(V, embedding_dim) if embedding_dim else None
        self.rnn = cells[cell](embedding_dim or V, hidden_size, num_layers=num_layers,
                               batch_first=True, dropout=dropout)
        self.p_drop = float(dropout)
        self.head = nn.Linear(hidden_size, V)

    def forward(self, ids, state=None):
        ids = np.asarray(ids.numpy() if isinstance(ids, Tensor) else ids)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"CharRNN: expected integer ids of shape (N, T), got "
                             f"{ids.dtype} array of shape {ids.shape}")
        if self.embedding is not None:
            x = self.embedding(ids)
        else:
            V = len(self.vocab)
            if ids.size and (ids.min() < 0 or ids.max() >= V):
                raise ValueError(f"CharRNN: ids must be in [0, {V}), got range "
                                 f"[{ids.min()}, {ids.max()}]")
            x = _as_tensor(np.eye(V, dtype=self.head.weight.dtype)[ids])
        out, state = self.rnn(x, state)
        out = ops.dropout(out, self.p_drop, self.training)
        return self.head(out), state


def stream_batches(ids: np.ndarray, batch_size: int, seq_len: int):
    """Batches for truncated BPTT over one long stream.

    The stream is cut into ``batch_size`` equal contiguous tracks, one per batch row; batch k
    holds positions ``[k·seq_len, (k+1)·seq_len)`` of every track, so row n of batch k+1
    continues row n of batch k and the final state of one batch is the right initial state of
    the next.  Yields ``(x, y)`` int arrays of shape ``(batch_size, seq_len)``, y = x shifted by
    one character.
    """
    ids = np.asarray(ids)
    if batch_size < 1 or seq_len < 1:
        raise ValueError(f"stream_batches: batch_size and seq_len must be >= 1, "
                         f"got {batch_size}, {seq_len}")
    track = (len(ids) - 1) // batch_size
    if track < seq_len:
        raise ValueError(f"stream_batches: a stream of {len(ids)} ids is too short for "
                         f"batch_size={batch_size} × seq_len={seq_len}")
    xs = ids[:track * batch_size].reshape(batch_size, track)
    ys = ids[1:track * batch_size + 1].reshape(batch_size, track)
    for k in range(track // seq_len):
        sl = slice(k * seq_len, (k + 1) * seq_len)
        yield xs[:, sl], ys[:, sl]


def bits_per_char(model, ids: np.ndarray, batch_size: int = 32, seq_len: int = 128) -> float:
    """Mean cross-entropy in bits per character of ``model`` on the stream ``ids``, carrying
    the state across batches (so every prediction sees its full past within a track)."""
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    with no_grad():
        for x, y in stream_batches(ids, batch_size, seq_len):
            logits, state = model(x, state)
            logp = ops.log_softmax(logits, axis=-1).numpy()
            total -= float(np.take_along_axis(logp, y[..., None], axis=-1).sum())
            count += y.size
    model.train(was_training)
    return total / count / np.log(2.0)


def sample(model, prime: str, length: int, temperature: float = 1.0,
           seed: int | None = None) -> str:
    """Generate ``length`` characters after ``prime`` by ancestral sampling.

    The model reads ``prime``, then repeatedly draws the next character from
    ``softmax(logits / temperature)`` and feeds it back, carrying the recurrent state.  Low
    temperatures (< 1) sharpen the distribution towards the likeliest characters; 1 samples the
    model as trained.  ``seed`` gives an independent reproducible stream; None uses the library
    generator (``ns.manual_seed``).  Returns ``prime`` followed by the generated text.
    """
    vocab = getattr(model, "vocab", None)
    if not isinstance(vocab, CharVocab):
        raise TypeError("sample: model must have a .vocab (CharVocab) attribute")
    check_int(length, "length", "sample", 0)
    if not isinstance(temperature, (int, float)) or not temperature > 0:
        raise ValueError(f"sample: temperature must be > 0, got {temperature!r}")
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"sample: prime must be a non-empty str, got {prime!r}")
    ids = vocab.encode(prime, name="sample: prime")
    gen = _random.rng(seed)
    was_training = model.training
    model.eval()
    out = []
    with no_grad():
        logits, state = model(ids[None, :], None)
        for _ in range(length):
            z = logits.numpy()[0, -1].astype(np.float64) / temperature
            p = np.exp(z - z.max())
            p /= p.sum()
            nxt = int(gen.choice(len(p), p=p))
            out.append(nxt)
            logits, state = model(np.array([[nxt]]), detach_state(state))
    model.train(was_training)
    return prime + vocab.decode(out)

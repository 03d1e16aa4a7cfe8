"""Scaled dot-product attention and multi-head attention (Vaswani et al. 2017), as torch.

    Attention(Q, K, V) = softmax(Q Kᵀ · scale + B) V,     scale = 1/√E by default,

where the bias B is 0, -inf where a mask forbids attending, or a given float mask.  Both are
compositions of recorded ops (matmul, softmax, dropout, …), so their gradients are those ops'.

Masks keep torch's two conventions: for :func:`scaled_dot_product_attention` a boolean
``attn_mask`` is True where attention is *allowed*; for :class:`MultiheadAttention` (its
``attn_mask`` and ``key_padding_mask``) True marks what is *not* allowed.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import functions as fn
from .. import ops
from .._checks import as_tensor, check_floating, check_number, check_range
from ..ops.padding import pad
from ..tensor import Tensor, get_default_dtype
from . import init
from .linear import Linear
from .module import Module, Parameter


def _mask_bias(mask: Any, dtype, allowed_if_true: bool, name: str) -> Any:
    """A mask as the additive bias B: a boolean mask becomes 0 / -inf (a constant array), a
    float mask is used as it is (a Tensor, which may require grad)."""
    if mask is None:
        return None
    data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if data.dtype == np.bool_:
        blocked = ~data if allowed_if_true else data
        return np.where(blocked, -np.inf, 0.0).astype(dtype)
    if data.dtype.kind != "f":
        raise TypeError(f"{name}: only bool and floating types of masks are supported, got "
                        f"{data.dtype}")
    return mask if isinstance(mask, Tensor) else data.astype(dtype)


def _causal_bias(L: int, S: int, dtype) -> np.ndarray:
    """0 on and below the diagonal, -inf above it (torch's ``tril`` of an L×S mask)."""
    return np.where(np.tril(np.ones((L, S), dtype=bool)), 0.0, -np.inf).astype(dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q Kᵀ · scale + B) V`` over the last two axes, as
    torch.nn.functional.scaled_dot_product_attention.

    Shapes: query ``(*, L, E)``, key ``(*, S, E)``, value ``(*, S, Ev)`` -> ``(*, L, Ev)``.
    ``attn_mask``: bool (True = may attend) or float (added), broadcastable to ``(*, L, S)``;
    ``is_causal``: the lower-triangular mask (with ``attn_mask`` an error, as torch);
    ``dropout_p``: dropout on the attention weights (always applied, as torch's function);
    ``scale``: default ``1/√E``; ``enable_gqa``: key/value have fewer heads (axis -3) than
    query, each repeated ``Hq / Hkv`` times (grouped-query attention).
    """
    q = as_tensor(query, "scaled_dot_product_attention")
    k = as_tensor(key, "scaled_dot_product_attention")
    v = as_tensor(value, "scaled_dot_product_attention")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"scaled_dot_product_attention: query, key and value need at least 2 "
                         f"dimensions, got {tuple(q.shape)}, {tuple(k.shape)}, "
                         f"{tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: query (*, L, E) {tuple(q.shape)}, key "
                         f"(*, S, E) {tuple(k.shape)} and value (*, S, Ev) {tuple(v.shape)} do "
                         f"not match")
    _check_same_float((q, k, v), "scaled_dot_product_attention", "query, key, and value")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    check_range(dropout_p, "dropout_p", "scaled_dot_product_attention", 0.0, 1.0,
                hi_open=False)
    if scale is not None and not math.isfinite(check_number(scale, "scale",
                                                             "scaled_dot_product_attention")):
        raise ValueError(f"scaled_dot_product_attention: scale must be finite, got {scale}")
    if enable_gqa and k.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise ValueError(f"scaled_dot_product_attention: with enable_gqa the query heads "
                             f"({hq}) must be a multiple of the key/value heads ({hk}, "
                             f"{v.shape[-3]})")
        index = (Ellipsis, np.repeat(np.arange(hk), hq // hk), slice(None), slice(None))
        k, v = k[index], v[index]
    L, S = q.shape[-2], k.shape[-2]
    _check_scores_shape(q, k, v, attn_mask)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ k.transpose(-2, -1)) * scale
    bias = _causal_bias(L, S, q._data.dtype) if is_causal else \
        _mask_bias(attn_mask, q._data.dtype, True, "scaled_dot_product_attention")
    if bias is not None:
        scores = scores + bias
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = ops.dropout(weights, dropout_p, True)
    return weights @ v


def _safe_softmax(scores):
    """Softmax over the last axis, where a row that may attend nowhere (all ``-inf``) gives
    zero weights and passes no gradient (torch 2.13's math path, ``_safe_softmax``), not NaN."""
    dead = np.isneginf(scores._data).all(axis=-1, keepdims=True)
    if not dead.any():
        return ops.softmax(scores, axis=-1)
    return ops.where(dead, 0.0, ops.softmax(ops.where(dead, 0.0, scores), axis=-1))


def _check_scores_shape(q, k, v, attn_mask) -> None:
    """The batch axes of q, k, v broadcast together, and a mask broadcasts to the scores'
    shape ``(*batch, L, S)`` without widening it (as torch)."""
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"scaled_dot_product_attention: the batch dimensions of query "
                         f"{tuple(q.shape)}, key {tuple(k.shape)} and value {tuple(v.shape)} "
                         f"do not broadcast") from None
    if attn_mask is None:
        return
    want, shape = (*batch, q.shape[-2], k.shape[-2]), tuple(np.shape(attn_mask))
    try:
        fits = np.broadcast_shapes(shape, want) == want
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {shape} does "
                           f"not broadcast to the attention scores' shape {want}")


def _check_mha_inputs(q, k, v, batch_first: bool) -> None:
    """MultiheadAttention's query, key and value: all 3-D (batched) or 2-D, floating point of
    one dtype, key and value of one length, one batch size."""
    if q.ndim not in (2, 3) or k.ndim != q.ndim or v.ndim != q.ndim:
        raise ValueError(f"MultiheadAttention: query, key and value must all be 3-D "
                         f"(batched) or 2-D (unbatched), got shapes {tuple(q.shape)}, "
                         f"{tuple(k.shape)}, {tuple(v.shape)}")
    _check_same_float((q, k, v), "MultiheadAttention", "query, key and value")
    n = 1 - batch_first     # the batch axis
    if k.shape[:-1] != v.shape[:-1] or (q.ndim == 3 and k.shape[n] != q.shape[n]):
        raise ValueError(f"MultiheadAttention: key {tuple(k.shape)} and value "
                         f"{tuple(v.shape)} must agree in all but the last dimension, "
                         f"and share query's batch size {tuple(q.shape)}")


def _check_same_float(tensors, owner: str, names: str) -> None:
    """Attention's inputs are floating point and of one dtype (torch refuses a mix)."""
    for t in tensors:
        check_floating(t, owner, names)
    dtypes = [str(t._data.dtype) for t in tensors]
    if len(set(dtypes)) > 1:
        raise RuntimeError(f"{owner}: expected {names} to have the same dtype, but got "
                           f"{', '.join(dtypes)}")


class MultiheadAttention(Module):
    """Multi-head attention, torch.nn.MultiheadAttention's parameters, names, initialisation
    and forward:

        head_i = Attention(Q W_qᵢ, K W_kᵢ, V W_vᵢ),   out = concat(head_1…head_h) W_o + b_o

    Parameters: ``in_proj_weight`` ``(3E, E)`` (or ``q_proj_weight`` ``(E, E)``,
    ``k_proj_weight`` ``(E, kdim)``, ``v_proj_weight`` ``(E, vdim)`` when ``kdim``/``vdim``
    differ from E), ``in_proj_bias`` ``(3E,)``, ``out_proj`` (a Linear), ``bias_k``/``bias_v``
    ``(1, 1, E)`` with ``add_bias_kv``.  Projection weights Xavier-uniform, biases zero,
    ``bias_k``/``bias_v`` Xavier-normal, as torch.

    Shapes: query ``(L, N, E)`` (``batch_first``: ``(N, L, E)``; unbatched ``(L, E)``), key
    ``(S, N, kdim)``, value ``(S, N, vdim)`` -> output like query, and the attention weights
    ``(N, L, S)`` averaged over heads (``average_attn_weights=False``: ``(N, H, L, S)``) or
    None without ``need_weights``.  ``key_padding_mask`` ``(N, S)`` and ``attn_mask``
    ``(L, S)`` or ``(N·H, L, S)``: bool (True = may not attend) or float (added).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None):
        for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"MultiheadAttention: {name} must be an int, got "
                                f"{type(value).__name__} {value!r}")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater "
                             f"than 0, got embed_dim={embed_dim} and num_heads={num_heads} "
                             f"instead")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible "
                             f"by num_heads ({num_heads})")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.kdim = embed_dim if kdim is None else int(kdim)
        self.vdim = embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout = check_range(dropout, "dropout", "MultiheadAttention", 0.0, 1.0,
                                   hi_open=False)
        self.batch_first = bool(batch_first)
        self.head_dim = embed_dim // num_heads
        dt = get_default_dtype()
        E = embed_dim
        self.in_proj_weight: Parameter | None
        self.q_proj_weight: Parameter | None
        self.k_proj_weight: Parameter | None
        self.v_proj_weight: Parameter | None
        self.bias_k: Parameter | None
        self.bias_v: Parameter | None
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dt))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), dt))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dt))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dt))
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(np.empty(3 * E, dt)) if bias else None
        self.out_proj = Linear(E, E, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, E), dt))
            self.bias_v = Parameter(np.empty((1, 1, E), dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = bool(add_zero_attn)
        self._reset_parameters()
        self._factory(device, dtype)

    def _reset_parameters(self) -> None:
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                  self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                init.constant_(b, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def _projections(self):
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            ws = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        bs = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        return ws, bs

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        q_in = as_tensor(query, "MultiheadAttention")
        k_in = as_tensor(key, "MultiheadAttention")
        v_in = as_tensor(value, "MultiheadAttention")
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask`"
                               " to create this mask.")
        batched = q_in.ndim == 3
        _check_mha_inputs(q_in, k_in, v_in, self.batch_first)
        if self.batch_first and batched:
            q_in, k_in, v_in = (t.transpose(0, 1) for t in (q_in, k_in, v_in))
        if not batched:
            q_in, k_in, v_in = (t.unsqueeze(1) for t in (q_in, k_in, v_in))
            if key_padding_mask is not None:
                key_padding_mask = as_tensor(key_padding_mask, "MultiheadAttention") \
                    .unsqueeze(0)
        L, N, E = q_in.shape
        S = k_in.shape[0]
        if E != self.embed_dim or k_in.shape[-1] != self.kdim or v_in.shape[-1] != self.vdim:
            raise ValueError(f"MultiheadAttention: expected query/key/value features "
                             f"{self.embed_dim}/{self.kdim}/{self.vdim}, got "
                             f"{E}/{k_in.shape[-1]}/{v_in.shape[-1]}")
        H, hd, dt = self.num_heads, self.head_dim, q_in._data.dtype
        (wq, wk, wv), (bq, bk, bv) = self._projections()
        q, k, v = ops.linear(q_in, wq, bq), ops.linear(k_in, wk, bk), ops.linear(v_in, wv, bv)

        mask = _mask_bias(attn_mask, dt, False, "MultiheadAttention")
        if mask is not None:
            if mask.ndim == 2:
                if tuple(mask.shape) != (L, S):
                    raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, "
                                       f"but should be {(L, S)}.")
                mask = mask[None]
            elif tuple(mask.shape) != (N * H, L, S):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(N * H, L, S)}.")
        pad_mask = _mask_bias(key_padding_mask, dt, False, "MultiheadAttention")
        if pad_mask is not None and tuple(pad_mask.shape) != (N, S):
            raise ValueError(f"MultiheadAttention: expected key_padding_mask of shape "
                             f"{(N, S)}, got {tuple(pad_mask.shape)}")
        if self.bias_k is not None and self.bias_v is not None:
            k = fn.cat([k, self.bias_k.expand(1, N, E)])
            v = fn.cat([v, self.bias_v.expand(1, N, E)])
            mask, pad_mask = _pad_last(mask), _pad_last(pad_mask)
        q = q.reshape(L, N * H, hd).transpose(0, 1)                     # (N·H, L, hd)
        k = k.reshape(k.shape[0], N * H, hd).transpose(0, 1)            # (N·H, S, hd)
        v = v.reshape(v.shape[0], N * H, hd).transpose(0, 1)
        if self.add_zero_attn:
            zeros = np.zeros((N * H, 1, hd), dt)
            k, v = fn.cat([k, zeros], dim=1), fn.cat([v, zeros], dim=1)
            mask, pad_mask = _pad_last(mask), _pad_last(pad_mask)
        S = k.shape[1]
        if pad_mask is not None:                       # (N, S) -> (N·H, 1, S), per head
            pad_mask = _expand_heads(pad_mask, N, H, S)
            mask = pad_mask if mask is None else mask + pad_mask
        scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores + mask
        weights = ops.softmax(scores, axis=-1)
        if self.training and self.dropout > 0.0:
            weights = ops.dropout(weights, self.dropout, True)
        out = (weights @ v).transpose(0, 1).reshape(L * N, E)
        out = ops.linear(out, self.out_proj.weight, self.out_proj.bias).reshape(L, N, E)
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(1)
        if not need_weights:
            return out, None
        weights = weights.reshape(N, H, L, S)
        if average_attn_weights:
            weights = weights.mean(axis=1)
        return out, (weights if batched else weights.squeeze(0))

    def extra_repr(self):
        return ""

    def __repr__(self):
        return (f"MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear("
                f"in_features={self.embed_dim}, out_features={self.embed_dim}, "
                f"bias={self.out_proj.bias is not None})\n)")


def _pad_last(mask):
    """One more key column that every query may attend (bias_k/bias_v, the zero key)."""
    if mask is None:
        return None
    if isinstance(mask, Tensor):
        return pad(mask, (0, 1))
    return np.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, 1)])


def _expand_heads(mask, N: int, H: int, S: int):
    if isinstance(mask, Tensor):
        return mask.reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S)
    return np.broadcast_to(mask.reshape(N, 1, 1, S), (N, H, 1, S)).reshape(N * H, 1, S)

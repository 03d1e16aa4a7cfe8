"""Type aliases of the public signatures: what the annotations of ``ns.tensor``, ``F.conv2d``,
``optim.Adam`` … mean by "a tensor", "a size", "parameters".  Annotations only."""
from __future__ import annotations

from typing import Any, Iterable, Sequence, Union

from numpy.typing import DTypeLike

__all__ = ["TensorLike", "DTypeLike", "Shape", "Size", "Padding", "Params"]

# a Tensor, an ndarray, a number or nested lists (ArrayLike). The functions convert it with
# as_tensor first, so to type checkers it stays open (Any); this module lies below Tensor's
TensorLike = Any
Shape = Union[int, Sequence[int]]              # zeros(2, 3) or zeros((2, 3))
Size = Union[int, Sequence[int]]               # a kernel, stride or dilation: k or (kh, kw)
Padding = Union[int, Sequence[int], str]       # also "same" / "valid"
Params = Iterable[Any]                         # tensors, or dicts of parameter groups

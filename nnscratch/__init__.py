"""nnscratch: deep learning and classical machine learning from scratch on NumPy.

``import nnscratch as torch`` gives torch's names: tensors and their factories, dtypes, devices,
``no_grad``, ``manual_seed``, ``save``/``load``, and every subpackage as an attribute (``nn``,
``optim``, ``utils``, ``autograd`` … and nnscratch's own ``linear_model``, ``datasets`` …), the
heavier ones imported on first use so that ``import nnscratch`` stays light.
"""
import importlib as _importlib

from . import autograd, ops, random
from .autograd import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                       set_grad_enabled)
from .dtype import (bool, double, float, float16, float32, float64, half, int, int8, int16,
                    int32, int64, long, short, uint8)
from .dtype import promote_types, result_type as _result_type
from .device import accelerator, backends, cuda, device
from .random import Generator, manual_seed
from .tensor import (Size, Tensor, arange, as_tensor, empty, empty_like, eye, from_numpy,
                     full, full_like, get_default_dtype, linspace, ones, ones_like, rand,
                     rand_like, randint, randn, randn_like, randperm, set_default_dtype,
                     tensor, zeros, zeros_like)
from .functions import *  # noqa: F401,F403  (torch's top-level functions: ns.exp, ns.cat …)
from .functions import cat, concatenate, stack, where
from ._functions_ops_math import *  # noqa: F401,F403,E402  (issue 32: erf, meshgrid, normal …)
from .gradcheck import GradcheckError, gradcheck
from .autograd.draw import draw_graph
from .serialization import load, save
from .safetensors import load_safetensors, save_safetensors
from . import datasets, nn, optim
from . import training
from .training import callbacks, evaluate, fit, predict

from .summary import summary

from .version import __version__  # noqa: E402
from ._printing import set_printoptions  # noqa: E402

# Tensor types of old torch code: ns.FloatTensor([1, 2]) and isinstance checks
from .tensor_types import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor  # noqa: E402


def result_type(tensor1, tensor2):
    """``torch.result_type``: the dtype ``tensor1 ⊕ tensor2`` gets."""
    return _result_type(tensor1, tensor2, default_float=get_default_dtype())


# subpackages imported on first use, as `import torch` makes torch.utils, torch.onnx … work
# (`app` is the application built on the library: the CLI, experiments, report, playground, tune)
_LAZY = ("linear_model", "model_selection", "preprocessing", "features", "signal", "utils",
         "text", "onnx", "distributed", "app", "metrics", "models", "optimize",
         "regularization", "stats", "testing", "functional", "linalg")
# names of lazy modules exported at the top: ns.load_model is nnscratch.models.saved.load_model
_LAZY_NAMES = {"load_model": "models.saved", "save_model": "models.saved"}


def __getattr__(name):
    if name in _LAZY_NAMES:
        value = getattr(_importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _LAZY:
        try:
            module = _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            module = None                # listed but not in this checkout: a missing name
        if module is not None:
            globals()[name] = module
            return module
    from ._unsupported import missing
    raise missing("TORCH", "torch", name, f"module 'nnscratch' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_NAMES))

# torch's out= on the top-level functions that take it (nnscratch/_out.py)
from ._out import OUT_NAMES as _OUT_NAMES  # noqa: E402
from ._out import with_out as _with_out  # noqa: E402

for _name in _OUT_NAMES:
    if _name in globals():
        globals()[_name] = _with_out(globals()[_name])
del _name

"""nnscratch: deep learning and classical machine learning from scratch on NumPy."""
from . import autograd, ops, random
from .gradcheck import GradcheckError, gradcheck
from .autograd import enable_grad, is_grad_enabled, no_grad
from .ops import concatenate, stack, where
from .random import manual_seed
from .serialization import load, save
from .safetensors import load_safetensors, save_safetensors
from . import data, datasets, nn, optim
from .tensor import (Tensor, arange, get_default_dtype, ones, ones_like, rand, randn,
                     set_default_dtype, tensor, zeros, zeros_like)
from . import training
from .training import callbacks, evaluate, fit, metrics, predict
from . import models, optimize, regularization, stats

from .summary import summary
from . import onnx

__version__ = "0.1.0"

"""``nnscratch.nn``: modules (layers, containers, losses) built from functional ops."""
from . import functional, init, utils
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import Flatten, ModuleList, Sequential
from .dropout import Dropout
from .embedding import Embedding
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d

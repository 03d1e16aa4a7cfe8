"""``nnscratch.nn``: modules (layers, containers, losses) built from functional ops."""
from . import functional, init, utils
from .attention import MultiheadAttention
from .activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from .activation_extra import (CELU, SELU, Fold, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid,
                               Mish, ReLU6, Softmin, Softsign, Unfold)
from .container import (Flatten, ModuleDict, ModuleList, ParameterDict, ParameterList,
                        Sequential, Upsample)
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from .embedding import Embedding
from .linear import Identity, Linear
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
                   LazyLinear, LazyModuleMixin, UninitializedParameter)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, GlobalAvgPool2d, MaxPool1d, MaxPool2d, MaxUnpool1d,
                      MaxUnpool2d)
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, detach_state
from .sync_batchnorm import SyncBatchNorm
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
from .volumetric import AvgPool3d, Conv3d, ConvTranspose3d, MaxPool3d
from . import parallel


def __getattr__(name):
    from .._unsupported import missing   # a torch.nn name we lack (nn.Transformer …) is named
    raise missing("NN", "torch.nn", name, f"module {__name__!r} has no attribute {name!r}")

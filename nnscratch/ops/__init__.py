"""Differentiable functions on Tensors: each op's forward and VJP are defined side by side."""
from .arithmetic import add, astype, div, matmul, mul, neg, power, sub
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .dropout import dropout, dropout_channels, feature_dropout
from .einsum import einsum
from .elementwise import (abs, clip, cos, elu, exp, expm1, leaky_relu, log, log1p, maximum,
                          minimum, relu, sigmoid, silu, sin, softplus, sqrt, tanh)
from .embedding import embedding
from .linear import linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                   huber_loss, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from .norm import batch_norm, group_norm, layer_norm
from .pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                   adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d,
                   max_unpool1d, max_unpool2d, upsample_nearest)
from .recurrent import gru_sequence, lstm_sequence, rnn_sequence
from .reduce import cumsum, logsumexp, max, mean, min, norm, prod, sum, var
from .shape import (broadcast_to, clone, concatenate, flip, gather, getitem, index_put,
                    index_select, pad_axes, reshape, roll, stack, tile, transpose, tril, triu,
                    where)
from . import shape
from .softmax import log_softmax, softmax

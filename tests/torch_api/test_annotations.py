"""Every name of the public API contract (/work/shared/DESIGN.md, "Public API") has annotated
parameters and return type, so editors and mypy (`make lint`) know them. Cost: < 1 s."""
import inspect

import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim

FUNCTIONS = {
    "ns": (ns, ["tensor", "zeros", "ones", "randn", "rand", "manual_seed", "get_default_dtype",
                "set_default_dtype", "cat", "concatenate", "stack", "where", "gradcheck", "save",
                "load", "load_model", "save_model", "summary"]),
    "F": (F, ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax",
              "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
              "cross_entropy", "nll_loss", "kl_div_gaussian", "dropout", "conv1d", "conv2d",
              "max_pool1d", "max_pool2d", "avg_pool2d", "batch_norm"]),
    "nn.utils": (nn.utils, ["clip_grad_norm_", "clip_grad_value_"]),
}
METHODS = {
    ns.Tensor: ["__init__", "size", "numel", "dim", "backward", "detach", "numpy", "item",
                "zero_grad", "__add__", "__sub__", "__mul__", "__truediv__", "__pow__",
                "__matmul__", "__neg__", "__getitem__", "sum", "mean", "max", "reshape",
                "transpose", "permute", "exp", "log", "sqrt", "abs", "clip", "relu", "sigmoid",
                "tanh"],
    nn.Module: ["__call__", "parameters", "named_parameters", "children", "modules",
                "state_dict", "load_state_dict", "train", "eval", "zero_grad"],
    optim.Optimizer: ["step", "zero_grad", "state_dict", "load_state_dict"],
    ns.no_grad: ["__init__"],
}
for cls in (nn.Parameter, nn.Linear, nn.Conv1d, nn.Conv2d, nn.MaxPool1d, nn.MaxPool2d,
            nn.AvgPool2d, nn.Flatten, nn.LeakyReLU, nn.Softmax, nn.LogSoftmax, nn.Dropout,
            nn.BatchNorm1d, nn.BatchNorm2d, nn.Embedding, nn.Sequential, nn.RNN, nn.LSTM,
            nn.GRU, nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss,
            optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW, optim.Adadelta,
            optim.Adamax, optim.NAdam, optim.lr_scheduler.StepLR,
            optim.lr_scheduler.ExponentialLR, optim.lr_scheduler.CosineAnnealingLR,
            optim.lr_scheduler.ReduceLROnPlateau):
    METHODS.setdefault(cls, []).append("__init__")
for cls in (nn.RNN, nn.LSTM, nn.GRU, nn.Linear, nn.Conv2d, nn.Sequential):
    METHODS[cls].append("forward")
for cls in (optim.lr_scheduler.StepLR, optim.lr_scheduler.ReduceLROnPlateau):
    METHODS[cls].append("step")

CASES = [(f"{where}.{n}", getattr(mod, n)) for where, (mod, names) in FUNCTIONS.items()
         for n in names]
CASES += [(f"{cls.__name__}.{m}", getattr(cls, m)) for cls, names in METHODS.items()
          for m in names]


def _missing(fn) -> list[str]:
    sig = inspect.signature(fn)
    out = [p.name for i, p in enumerate(sig.parameters.values())
           if p.annotation is inspect.Parameter.empty
           and not (i == 0 and p.name in ("self", "cls"))]
    if sig.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":
        out.append("return")
    return out


@pytest.mark.parametrize("name, fn", CASES, ids=[c[0] for c in CASES])
def test_public_api_is_annotated(name, fn):
    assert _missing(fn) == [], f"{name} lacks annotations for {_missing(fn)}"


def test_properties_are_annotated():
    for prop in (ns.Tensor.data, ns.Tensor.grad):
        assert "return" in prop.fget.__annotations__

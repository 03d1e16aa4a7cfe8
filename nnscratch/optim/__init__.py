"""``nnscratch.optim``: first-order update rules over parameter lists (torch.optim names),
learning-rate schedulers, weight averaging and the Adam-then-SGD switch."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lbfgs import LBFGS
from .averaging import EMA, PolyakAverage
from .nadam import NAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
from .switch import SwitchOptimizer

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax",
           "NAdam", "LBFGS", "EMA", "PolyakAverage", "SwitchOptimizer", "lr_scheduler"]

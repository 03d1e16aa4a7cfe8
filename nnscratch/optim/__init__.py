"""``nnscratch.optim``: first-order update rules over parameter lists (torch.optim names)."""
from .optimizer import Optimizer
from .sgd import SGD

"""Stochastic gradient descent with momentum (000 §1.3, 001 §6.3)."""
from .optimizer import Optimizer, check_range


class SGD(Optimizer):
    """SGD with optional momentum, dampening, Nesterov and L2 weight decay (torch.optim.SGD).

        g <- g + wd·p;   b <- μ b + (1 - τ) g  (b = g on the first step);
        d = g + μ b  if nesterov  else  b;     p <- p - lr · d

    ``momentum=β, dampening=β`` is exactly the textbooks' momentum m <- β m + (1-β) g,
    x <- x - η m (except that PyTorch starts the buffer at g, not (1-β) g).
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        check_range(momentum, "momentum", "SGD")
        check_range(weight_decay, "weight_decay", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum requires momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def update(self, g, s, h, p):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * p.data
        mu = h["momentum"]
        if mu:
            b = s.get("momentum_buffer")
            if b is None:
                b = s["momentum_buffer"] = g.copy()
            else:
                b *= mu
                b += (1 - h["dampening"]) * g
            g = g + mu * b if h["nesterov"] else b
        return h["lr"] * g

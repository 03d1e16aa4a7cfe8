"""The optimizer cases (``CASES``: constructor, settings, torch's counterpart) and the small
least-squares problem they run on, in nnscratch and in torch: shared by ``test_optim.py``
(trajectories against torch) and ``test_optim_rules.py`` (the rules on plain arrays)."""

import numpy as np
import torch

import nnscratch as ns

# (name, torch class, keyword arguments): several hyper-parameter combinations per rule
CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd_dampening_wd", "SGD", dict(lr=0.05, momentum=0.5, dampening=0.5, weight_decay=0.1)),
    ("adagrad", "Adagrad", dict()),
    ("adagrad_all", "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05,
                                    initial_accumulator_value=0.1, eps=1e-8)),
    ("rmsprop", "RMSprop", dict()),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8)),
    ("rmsprop_centered", "RMSprop", dict(centered=True)),
    ("rmsprop_centered_momentum_wd", "RMSprop", dict(lr=0.005, centered=True, momentum=0.5,
                                                     weight_decay=0.1, eps=1e-6)),
    ("adam", "Adam", dict(lr=0.01)),
    ("adam_amsgrad", "Adam", dict(lr=0.05, amsgrad=True)),
    ("adam_wd_betas", "Adam", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.99))),
    ("adam_amsgrad_wd", "Adam", dict(lr=0.05, weight_decay=0.05, amsgrad=True, eps=1e-6)),
    ("adamw", "AdamW", dict(lr=0.01)),
    ("adamw_amsgrad_wd", "AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("adadelta", "Adadelta", dict()),
    ("adadelta_all", "Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("adamax", "Adamax", dict()),
    ("adamax_all", "Adamax", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)),
    ("nadam", "NAdam", dict()),
    ("nadam_all", "NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1)),
    ("nadam_decoupled", "NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
]

def case_data():
    r = np.random.default_rng(7)
    return {"X": r.normal(size=(6, 4)), "Y": r.uniform(-0.5, 0.5, size=(6, 3)),
            "W": r.normal(size=(4, 3)) * 0.7, "b": r.normal(size=(3,)) * 0.3}

def ns_loss(W, b, d):
    """A small non-quadratic loss: squared error of a tanh layer plus a quartic penalty."""
    out = (ns.tensor(d["X"]) @ W + b).tanh()
    return ((out - ns.tensor(d["Y"])) ** 2).mean() + 0.05 * (W ** 4).sum()

def torch_loss(W, b, d):
    out = torch.tanh(torch.tensor(d["X"]) @ W + b)
    return ((out - torch.tensor(d["Y"])) ** 2).mean() + 0.05 * (W ** 4).sum()

def ns_params(d):
    return [ns.tensor(d["W"], requires_grad=True), ns.tensor(d["b"], requires_grad=True)]

""""Show the code": the nnscratch script that trains what the page shows.

The script uses the public API only (``nn.Sequential``, ``nn.Linear``, ``optim``, ``F``
losses, ``ns.regularization``) and the playground's data functions, and it trains exactly
as :class:`session.Session` does: running it for the page's epoch count prints the page's
losses.
"""
from __future__ import annotations

from .settings import Settings

_ACT = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()",
        "linear": "nn.Identity()"}


def _model_lines(s: Settings) -> list[str]:
    sizes = [len(s.features), *s.hidden, 1]
    lines = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lines.append(f"nn.Linear({a}, {b}),")
        if i < len(s.hidden):
            lines.append(f"{_ACT[s.activation]},")
    return ["model = nn.Sequential("] + ["    " + x for x in lines] + [")"]


_SET_BY_HAND = """


def set_by_hand(epoch):
    with ns.no_grad():
        for layer, row, column, value in BY_HAND.get(epoch, []):
            linears[layer].weight[row, column] = value"""


def _edit_parts(edits) -> tuple[str, str, str, str]:
    """The script's pieces that repeat the weights set by hand (none without edits): their
    table by epoch, the function applying one epoch's, its call before training (edits made
    at epoch 0) and after each epoch."""
    if not edits:
        return "", "", "", ""
    by_epoch: dict[int, list] = {}
    for epoch, layer, row, column, value in edits:
        by_epoch.setdefault(epoch, []).append((layer, row, column, value))
    table = ("# weights set by hand on the page: {after epoch: [(layer, row, column, value)]}\n"
             f"BY_HAND = {by_epoch!r}\n"
             "linears = [m for m in model if isinstance(m, nn.Linear)]\n")
    first = "\n\n\nset_by_hand(0)                     # the edits made before any training"
    return table, _SET_BY_HAND, first, "\n    set_by_hand(epoch)"


def script(s: Settings, epochs: int = 100, edits=()) -> str:
    """The Python source for settings ``s``, training for ``epochs`` epochs; ``edits`` are the
    session's weights set by hand, ``(epoch, layer, row, column, value)``, each applied after
    that many epochs, as the session applied it."""
    table, apply, first, after_epoch = _edit_parts(edits)
    if s.optimizer == "adam":
        opt = f"optim.Adam(model.parameters(), lr={s.learning_rate!r})"
    else:
        momentum = ", momentum=0.9" if s.optimizer == "momentum" else ""
        opt = f"optim.SGD(model.parameters(), lr={s.learning_rate!r}{momentum})"
    loss = ("F.mse_loss(out, target)" if s.regression
            else "F.binary_cross_entropy_with_logits(out, target)")
    reg = {"l1": f"\n        loss = loss + ns.regularization.l1_penalty(model.parameters(), "
                 f"{s.reg_rate!r})",
           "l2": f"\n        loss = loss + ns.regularization.l2_penalty(model.parameters(), "
                 f"{s.reg_rate!r})",
           "none": ""}[s.regularization]
    model = "\n".join(_model_lines(s))
    return f'''"""The playground's network: {s.dataset}, hidden layers {list(s.hidden)},
{s.activation}, {s.optimizer} lr={s.learning_rate!r}, batch {s.batch_size}, seed {s.seed}."""
import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim
from nnscratch.app.playground.data import feature_matrix, make_dataset

FEATURES = {list(s.features)!r}
xy_train, y_train, xy_test, y_test = make_dataset(
    {s.dataset!r}, noise={s.noise!r}, train_ratio={s.train_ratio!r}, seed={s.seed})
X_train, X_test = feature_matrix(xy_train, FEATURES), feature_matrix(xy_test, FEATURES)

ns.manual_seed({s.seed})                  # the initial weights
{model}
opt = {opt}
order = ns.random.rng({s.seed})            # the mini-batch order
{table}

def data_loss(out, target):
    return {loss}{apply}{first}


for epoch in range(1, {epochs} + 1):
    perm = order.permutation(len(X_train))
    for i in range(0, len(perm), {s.batch_size}):
        idx = perm[i:i + {s.batch_size}]
        loss = data_loss(model(ns.tensor(X_train[idx])), ns.tensor(y_train[idx])){reg}
        opt.zero_grad()
        loss.backward()
        opt.step(){after_epoch}
    with ns.no_grad():
        train_loss = data_loss(model(ns.tensor(X_train)), ns.tensor(y_train)).item()
        test_loss = data_loss(model(ns.tensor(X_test)), ns.tensor(y_test)).item()
    print(f"epoch {{epoch}}: train loss {{train_loss:.4f}}, test loss {{test_loss:.4f}}")
'''

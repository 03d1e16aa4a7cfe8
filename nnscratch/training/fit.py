"""``fit``: the mini-batch training loop.

One epoch of :func:`fit` is the mini-batch stochastic gradient descent of 002 (Algorithm 5.3,
"one epoch = n / n_b iterations"): shuffle the rows, and for each mini-batch run the forward
pass, the loss, ``backward()`` and ``optimizer.step()``.  Around that loop sit the things a
run needs to be trusted: input checks, metrics, validation, callbacks, a progress bar, a stop
with a clear error when the loss diverges, and checkpoints from which an interrupted run
resumes to bit-identical weights.

The loop is written as named steps of a :class:`~.run._FitRun` (:mod:`.run`), so that a new
check or hook has one obvious place to go.  Input preparation lives in :mod:`.inputs`,
``evaluate``/``predict`` in :mod:`.evaluation` and the checkpoint format in :mod:`.checkpoint`.
"""
from __future__ import annotations

from .._checks import check_bool, check_seed, positive_int
from ..nn.module import Module
from .callbacks import Callback
from .checkpoint import check_checkpoint_path
from .distributed import DistributedFitRun
from .evaluation import evaluate, predict
from .history import History
from .inputs import resolve_loss
from .run import DivergenceError, _FitRun
from .safeguards import check_optimizer_owns_model

__all__ = ["fit", "evaluate", "predict", "DivergenceError"]


def fit(model: Module, X, y=None, *, loss, optimizer, epochs: int = 1, batch_size: int = 32,
        validation_data=None, metrics=(), callbacks=(), progress: bool = True,
        seed: int | None = None, checkpoint=None, resume_from=None, scheduler=None,
        shuffle: bool = True, distributed: bool = False) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent and return its History.

    Each epoch shuffles the rows (a generator seeded by ``seed``; the library generator of
    ``ns.manual_seed`` when None), and for every mini-batch of ``batch_size`` rows computes
    ``loss(model(x), y)``, backpropagates and calls ``optimizer.step()``.  After the epoch it
    records the mean training loss and ``metrics``, evaluates ``validation_data`` (``val_*``
    entries), steps ``scheduler`` (``step(val_loss)`` for ReduceLROnPlateau-like schedulers)
    and calls the callbacks.

    Args:
        model: an ``nn.Module``; left in the train/eval modes it had before.
        X: array/Tensor ``(N, ...)`` or a DataLoader yielding ``x`` or ``(x, y)`` batches.
        y: targets ``(N, ...)``; None with arrays means the target is ``X`` (autoencoders).
            Cross-entropy/NLL need int labels ``(N,)`` in ``[0, K)`` (or ``(N, K)``
            probabilities); BCE needs values in [0, 1]; ``(N,)`` targets for a one-column
            output are reshaped to ``(N, 1)``.
        loss: ``loss(output, target) -> Tensor`` (``nn.CrossEntropyLoss()``,
            ``F.mse_loss``, …) or a name: "cross_entropy", "nll", "mse", "bce",
            "bce_with_logits".
        optimizer: an ``optim.Optimizer`` over the model's parameters (a ValueError if it
            holds none of them).
        epochs, batch_size: positive ints (defaults 1 and 32).
        validation_data: ``(X_val, y_val)`` or a DataLoader.
        metrics: names (see ``nnscratch.metrics.NAMES``: "accuracy", "error", "top5_accuracy",
            "precision", "recall", "f1", "mse", "mae", "r2") or callables ``fn(output, target)``.
        callbacks: ``Callback`` instances (EarlyStopping, ModelCheckpoint, …).
        progress: a tqdm bar on a terminal, one line per epoch otherwise; False for silence.
        seed: seeds the shuffling (dropout keeps drawing from the library generator).
        checkpoint: a path; after every epoch the model, optimizer, scheduler, epoch, random
            states, history and callback states are saved there atomically.
        resume_from: a checkpoint path; training continues after its last epoch and ends with
            the same weights, bit for bit, as a run that was never interrupted.
        scheduler: an ``optim.lr_scheduler`` object stepped once per epoch.
        shuffle: reshuffle the rows every epoch (default True).
        distributed: data-parallel training on the ranks of ``nnscratch launch -n P``
            (:mod:`nnscratch.training.distributed`): each rank trains on its share of every
            batch of ``P * batch_size`` rows, gradients are averaged with
            DistributedDataParallel, every rank stops together, and only rank 0 writes
            checkpoints and files.  Alone, a world of one: the same as ``False``.

    Returns:
        History: ``history["loss"]``, ``history["val_loss"]``, ``history["<metric>"]`` per
        epoch, ``history.batch_loss`` per step, ``history.lr`` per epoch.

    Raises:
        DivergenceError: the loss, a gradient or -- after ``optimizer.step()`` -- a weight
            became NaN/inf; the message names the epoch and batch, and the model keeps the
            weights it had before that batch (the last finite ones: a step that overflows is
            undone; the optimizer's own state is not).
    """
    owner = "fit"
    _check_model_and_optimizer(model, optimizer, owner)
    loss_fn, kind = resolve_loss(loss, owner)
    epochs = positive_int(epochs, "epochs", owner)
    batch_size = positive_int(batch_size, "batch_size", owner)
    callbacks = _check_callbacks(callbacks, owner)
    seed = check_seed(seed, owner)
    for flag, value in (("shuffle", shuffle), ("distributed", distributed),
                        ("progress", progress)):
        check_bool(value, flag, owner)
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"{owner}: scheduler must be an optim.lr_scheduler object (with a "
                        f"step() method), got {type(scheduler).__name__}")
    if checkpoint is not None:
        check_checkpoint_path(checkpoint, owner)
    run_class: type[_FitRun] = _FitRun
    if distributed:
        run_class = DistributedFitRun
    run = run_class(model, optimizer, loss_fn, kind, epochs, batch_size, metrics, callbacks,
                  scheduler=scheduler, checkpoint=checkpoint, progress=progress)
    run.training_data(X, y, seed, shuffle)
    run.validation_data(validation_data)
    if resume_from is not None:
        run.resume(resume_from)
    return run.train()


def _check_model_and_optimizer(model, optimizer, owner: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "param_groups")):
        raise TypeError(f"{owner}: optimizer must be an optim.Optimizer, got "
                        f"{type(optimizer).__name__}")
    check_optimizer_owns_model(model, optimizer, owner)


def _check_callbacks(callbacks, owner: str) -> list:
    if isinstance(callbacks, Callback) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"{owner}: callbacks must be a list of Callback instances, got "
                        f"{type(callbacks).__name__}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"{owner}: callbacks must be Callback instances, got "
                            f"{type(cb).__name__}")
    return callbacks

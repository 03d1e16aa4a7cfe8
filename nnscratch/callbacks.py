"""``nnscratch.callbacks``: the training callbacks under a short name, as ``keras.callbacks``.

``from nnscratch.callbacks import EarlyStopping`` is the same class as
``nnscratch.training.callbacks.EarlyStopping``; the classes live in
:mod:`nnscratch.training.callbacks`, beside ``fit`` which calls them.
"""
from .training.callbacks import (
                                 BatchMetrics,
                                 Callback,
                                 CSVLogger,
                                 EarlyStopping,
                                 EvaluateEvery,
                                 FitContext,
                                 GradientNormLogger,
                                 LambdaCallback,
                                 LearningRateScheduler,
                                 ModelCheckpoint,
)

__all__ = ["Callback", "FitContext", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
           "CSVLogger", "GradientNormLogger", "EvaluateEvery", "BatchMetrics", "LambdaCallback"]

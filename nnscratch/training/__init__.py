"""Training: ``fit``/``evaluate``/``predict``, callbacks, history, progress bar.

``training.metrics`` is :mod:`nnscratch.metrics` (its former home), kept as an attribute.
"""
from .. import metrics
from . import callbacks
from .callbacks import (
    BatchMetrics,
    Callback,
    CSVLogger,
    EarlyStopping,
    EvaluateEvery,
    GradientNormLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
)
from .fit import DivergenceError, evaluate, fit, predict
from .history import History

__all__ = ["fit", "evaluate", "predict", "History", "DivergenceError", "callbacks", "metrics",
           "Callback", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "CSVLogger",
           "GradientNormLogger", "EvaluateEvery", "BatchMetrics", "LambdaCallback"]

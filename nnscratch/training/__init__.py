"""Training: ``fit``/``evaluate``/``predict``, callbacks, history, progress bar."""
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

__all__ = ["fit", "evaluate", "predict", "History", "DivergenceError", "callbacks",
           "Callback", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "CSVLogger",
           "GradientNormLogger", "EvaluateEvery", "BatchMetrics", "LambdaCallback"]

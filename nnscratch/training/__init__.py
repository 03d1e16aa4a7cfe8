"""Training: ``fit``/``evaluate``/``predict``, metrics, callbacks, history, progress bar."""
from . import callbacks, metrics
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

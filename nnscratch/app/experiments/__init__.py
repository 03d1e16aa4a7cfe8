"""Experiments: one per textbook example, each a function of a Config returning a Result."""
from .registry import REGISTRY, Config, Expect, Result, claim, experiment, get, load_all

__all__ = ["REGISTRY", "Config", "Expect", "Result", "claim", "experiment", "get",
           "load_all"]

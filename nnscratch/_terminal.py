"""Text tables for the terminal, fitted to its width, and "did you mean" suggestions.

A table is laid out at its natural column widths when they fit; otherwise the widest columns
give up characters, one at a time, down to a floor, and a cell longer than its column ends in
``…``.  Where the output is not a terminal (a pipe, a log file), nothing is cut: a log keeps
every character.
"""
from __future__ import annotations

import difflib
import os
import shutil
import sys

SEP = "  "
MIN_COLUMN = 8      # a column is never cut below this many characters


def terminal_width(stream=None) -> int | None:
    """The columns to fit when ``stream`` (default stdout) is a terminal: ``$COLUMNS`` when
    set, else the terminal's width.  None (no limit) for a pipe or a file, even where
    ``$COLUMNS`` is set (CI runners and test harnesses set it): a log keeps every character."""
    stream = sys.stdout if stream is None else stream
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):    # a closed or odd stream: no limit
        return None
    env = os.environ.get("COLUMNS", "")
    return int(env) if env.isdigit() and int(env) > 0 else shutil.get_terminal_size().columns


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, its last one ``…`` when anything was cut."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def fitted_widths(natural: list[int], limit: int | None) -> list[int]:
    """Column widths whose sum with the separators is at most ``limit``: the widest column
    shrinks first, none below ``MIN_COLUMN`` (or its natural width, if smaller)."""
    widths = list(natural)
    if limit is None:
        return widths
    budget = limit - len(SEP) * (len(widths) - 1)
    while sum(widths) > budget:
        k = max(range(len(widths)), key=lambda i: widths[i])
        if widths[k] <= MIN_COLUMN:
            break                          # as narrow as it gets: let the terminal wrap
        widths[k] -= 1
    return widths


def format_table(header: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """``header``, a rule, then ``rows``, left-aligned in columns fitted to ``width``."""
    table = [header] + rows
    natural = [max(len(r[i]) for r in table) for i in range(len(header))]
    widths = fitted_widths(natural, width)
    lines = [SEP.join(clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, SEP.join("-" * w for w in widths))
    return "\n".join(lines)


def wrap_words(text: str, width: int | None, indent: str = "  ") -> str:
    """``text`` broken at spaces into lines of at most ``width`` (continuations indented)."""
    if width is None or len(text) <= width:
        return text
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = indent + word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


def did_you_mean(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"

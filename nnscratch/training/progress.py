"""Progress reporting for ``fit``: one Keras-style line per epoch, with every metric, and on a
terminal a live bar over the epoch's batches that the line replaces when the epoch ends."""
from __future__ import annotations

import sys
import time


def _fmt_value(v) -> str:
    """One format for every log value, so that the columns of successive lines line up:
    four decimals (``0.3000``, not ``0.3``), or ``1.2345e-05`` outside 1e-3 … 1e5, as Keras."""
    v = float(v)
    return f"{v:.4f}" if v == 0 or 1e-3 <= abs(v) < 1e5 else f"{v:.4e}"


def _fmt_logs(logs: dict) -> str:
    return " - ".join(f"{k} {_fmt_value(v)}" for k, v in logs.items())


class Progress:
    """``on_epoch_begin`` / ``on_batch`` / ``on_epoch_end`` hooks used by ``fit``.

    ``enabled=False`` prints nothing.  Otherwise every epoch ends with one line holding every
    log value, however many (the line is never cut to the terminal's width)::

        epoch 3/15 - loss 0.1234 - accuracy 0.9700 - val_loss 0.1500 - val_accuracy 0.9600 - 1.2 s

    When ``stream`` (default ``sys.stdout``) is a terminal and tqdm is installed, a bar over
    the epoch's batches with the running loss is drawn while the epoch runs and erased when it
    ends (``leave=False``), so the terminal keeps the same lines as a log file, CI or a pipe.
    """

    def __init__(self, enabled: bool = True, stream=None):
        self.enabled = bool(enabled)
        self.stream = stream if stream is not None else sys.stdout
        self.bar = None
        self.use_bar = False
        if self.enabled:
            isatty = getattr(self.stream, "isatty", None)
            if isatty is not None and isatty():
                try:
                    import tqdm  # noqa: F401
                    self.use_bar = True
                except ImportError:  # plain lines are a fine fallback
                    self.use_bar = False

    def on_epoch_begin(self, epoch: int, epochs: int, batches: int | None) -> None:
        self.t0 = time.perf_counter()
        self.head = f"epoch {epoch + 1}/{epochs}"
        if self.enabled and self.use_bar:
            import shutil

            from tqdm import tqdm
            # a pseudo-terminal without a window size reports 0 or -1 columns/rows, with which
            # tqdm draws nothing: fall back to 100 x 20
            size = shutil.get_terminal_size((100, 20))
            cols = size.columns if size.columns > 0 else 100
            rows = size.lines if size.lines > 0 else 20
            self.bar = tqdm(total=batches, desc=self.head, file=self.stream,
                            ncols=min(cols, 160), nrows=rows, unit="batch", leave=False)

    def on_batch(self, running_loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"loss {_fmt_value(running_loss)}", refresh=False)

    def on_epoch_end(self, logs: dict) -> None:
        if not self.enabled:
            return
        seconds = time.perf_counter() - self.t0
        if self.bar is not None:   # erase the bar; the line below says what it said and more
            self.bar.close()
            self.bar = None
        print(f"{self.head} - {_fmt_logs(logs)} - {seconds:.1f} s", file=self.stream,
              flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

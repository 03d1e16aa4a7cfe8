"""Progress reporting for ``fit``: a tqdm bar on a terminal, one plain line per epoch otherwise."""
from __future__ import annotations

import sys
import time


def _fmt_logs(logs: dict) -> str:
    return " - ".join(f"{k} {v:.4g}" for k, v in logs.items())


class Progress:
    """``on_epoch_begin`` / ``on_batch`` / ``on_epoch_end`` hooks used by ``fit``.

    ``enabled=False`` prints nothing.  When ``stream`` (default ``sys.stdout``) is a terminal
    and tqdm is installed, each epoch gets a bar over its batches with the running loss;
    otherwise (a log file, CI, a pipe) one line per epoch:
    ``epoch 3/15 - loss 0.1234 - accuracy 0.97 - val_loss 0.15 - 1.2 s``.
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
            self.bar = tqdm(total=batches, desc=self.head, file=self.stream, leave=True,
                            ncols=min(cols, 160), nrows=rows, unit="batch")

    def on_batch(self, running_loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"loss {running_loss:.4g}", refresh=False)

    def on_epoch_end(self, logs: dict) -> None:
        if not self.enabled:
            return
        seconds = time.perf_counter() - self.t0
        if self.bar is not None:
            self.bar.set_postfix_str(_fmt_logs(logs), refresh=True)
            self.bar.close()
            self.bar = None
        else:
            print(f"{self.head} - {_fmt_logs(logs)} - {seconds:.1f} s", file=self.stream,
                  flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

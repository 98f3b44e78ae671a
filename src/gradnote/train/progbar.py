"""ProgbarLogger: the progress output fit shows, a callback the loop adds (as Keras's CallbackList does).

verbose=1: one tqdm bar per epoch with the running logs; verbose=2: one line per epoch
("Epoch 3/10 - 0.4s - loss: 0.3121 - acc: 0.8800 - lr: 0.0010"); 0: nothing.
"""

from __future__ import annotations

import time

from .callbacks import Callback

__all__ = ["ProgbarLogger", "format_logs"]


def format_logs(logs: dict) -> str:
    """"loss: 0.3121 - acc: 0.8800": four decimals, significant digits for values below 1e-3."""
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) and abs(v) >= 1e-3 or v == 0 else f"{k}: {v:.4g}"
                      for k, v in logs.items())


class ProgbarLogger(Callback):
    """Progress of fit on the terminal: a bar per epoch (verbose=1) or a line per epoch (verbose=2)."""

    def __init__(self, verbose: int = 1):
        super().__init__()
        self.verbose, self.bar, self._start = verbose, None, 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.params.get("steps"), initial=self.loop.batch,
                            desc=f"Epoch {epoch + 1}/{self.params['epochs']}", unit="batch", dynamic_ncols=True,
                            leave=True)

    def on_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.set_postfix_str(format_logs({k: v for k, v in (logs or {}).items() if k != "batch_loss"}),
                                     refresh=False)
            self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            shown = {k: v for k, v in logs.items() if k not in ("lr", "learning_rate")}
            self.bar.set_postfix_str(format_logs(shown), refresh=True)
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._start
            print(f"Epoch {epoch + 1}/{self.params['epochs']} - {seconds:.1f}s - {format_logs(logs)}", flush=True)
        self.release()

    def on_interrupt(self, epoch, batch, logs=None):
        self.release()

    def release(self) -> None:
        """Close the bar (also when fit ends by an exception)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

"""One way to run long work off the UI thread: ``run_in_background(fn, on_done, on_error)``.

The function runs in Qt's global thread pool and may report progress and check
for cancellation through the ``Task`` it receives; results come back to the GUI
thread through signals. The function must never touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import CunFangError

log = logging.getLogger("cunfang.ui.workers")


class Cancelled(Exception):
    """Raised inside a task when the user pressed 取消."""


class TaskSignals(QObject):
    progress = Signal(int, int, str)  # done, total, message
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[[Task], object]):
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    # called from the worker
    def report(self, done: int, total: int, message: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self.signals.progress.emit(done, total, message)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # called from the GUI
    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.fn(self)
        except Cancelled as exc:
            self.signals.failed.emit(exc)
        except CunFangError as exc:  # the domain's own refusal (a wrong password, a full disk): no traceback
            log.info("background task refused: %s", exc.code.name)
            self.signals.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the GUI thread, shown plainly
            log.exception("background task failed")
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


_RUNNING: set[Task] = set()


def run_in_background(fn: Callable[[Task], object], *, on_done: Callable[[object], None] | None = None,
                      on_error: Callable[[Exception], None] | None = None,
                      on_progress: Callable[[int, int, str], None] | None = None) -> Task:
    task = Task(fn)
    if on_done:
        task.signals.succeeded.connect(on_done)
    if on_error:
        task.signals.failed.connect(on_error)
    if on_progress:
        task.signals.progress.connect(on_progress)
    _RUNNING.add(task)
    task.signals.finished.connect(lambda: _RUNNING.discard(task))
    QThreadPool.globalInstance().start(task)
    return task

"""Sync with the bureau server in the background: one job at a time, a timer while the app runs, backoff after
failures.

``SyncRunner`` owns every piece of sync work the window does (a run, enrolling, writing a USB package), so two
never overlap, whether the 同步 page or the timer started them. The sync client (requests, pydantic) is imported
on first use: the timer's first look comes a few seconds after start-up, not while the window opens.

When the server offers a newer app version (``sync.client.client.update_offer``), the runner says so: a notice in
the window's status bar (and ``update_notice`` for the 同步 page). Nothing is downloaded or installed.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from app.errors import CunFangError
from app.store import Store
from ui.errors import plain_message
from ui.page_common import StatusLabel
from ui.workers import Task, run_in_background

log = logging.getLogger("cunfang.ui.sync")

AUTO_SYNC_INTERVAL_MS = 5 * 60_000  # while enrolled, look for records to send this often
FIRST_CHECK_MS = 5_000              # the first look after start-up (or after enrolling)
RETRY_BASE_S = 30.0                 # after a failed automatic run: backoff_delay(attempt, base, cap) ...
RETRY_CAP_S = 30 * 60.0
RETRY_MIN_S = 10.0                  # ... but never sooner than this (full jitter can draw 0)
SHUTDOWN_WAIT_S = 10.0              # closing the window waits this long for a cancelled run to stop


def sync_loaded() -> bool:
    """Whether the sync client is imported already (then reading the sync state costs nothing extra)."""
    return "sync.client.client" in sys.modules


def local_time(iso: str) -> str:
    """A stored UTC time as the laptop's local clock: "10:32" today, "05-03 10:32" this year, else the date too."""
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso[:16].replace("T", " ")
    now = datetime.now().astimezone()
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d %H:%M" if moment.year == now.year else "%Y-%m-%d %H:%M")


KINDS = {"SYNC_UNREACHABLE": "network", "SYNC_SERVER_ERROR": "server", "SYNC_CANCELLED": "cancelled"}


def error_kind(error: str, code: str = "") -> str:
    """"network" (the server could not be reached), "server" (it answered with an error), "cancelled" or "other"."""
    if not error:
        return ""
    return KINDS.get(code, "other")


@dataclass
class SyncStatus:
    """What the status bar and the 同步 page show about sync."""

    enrolled: bool
    server: str = ""
    user: dict = field(default_factory=dict)
    pending: int = 0
    rejected: int = 0
    running: bool = False
    last_at: str = ""  # UTC ISO time of the last run's end, "" if never
    last_counts: dict[str, int] = field(default_factory=dict)
    last_error: str = ""
    last_code: str = ""
    update: object = None  # the newer app version the server offers (protocol.ClientUpdate), or None
    own: bool = True  # the credential is the signed-in account's own (or the store has no accounts)

    @property
    def last_kind(self) -> str:
        return error_kind(self.last_error, self.last_code)


class SyncRunner(QObject):
    """The window's sync work, one job at a time; with ``automatic``, a timer syncs when records wait."""

    started = Signal()
    progress = Signal(int, int, str)  # done, total, text (from the sync client)
    finished = Signal(object)  # the SyncReport, or the exception when the run could not be done at all
    changed = Signal()  # enrolled, running or the last run changed: status displays refresh

    def __init__(self, store: Store, parent: QObject | None = None, *, automatic: bool = False):
        super().__init__(parent)
        self.store = store
        self.automatic = automatic
        self.failures = 0  # automatic runs failed in a row (the backoff's attempt)
        self.last_report = None
        self.failure_text = ""  # a run that could not be done at all (no report), in words for a person
        self._task: Task | None = None  # the sync run under way
        self._job: Task | None = None  # other sync work under way (enrolling, a USB package)
        self._cancel: threading.Event | None = None
        self._stopped: threading.Event | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self.update_label: QLabel | None = None  # the status bar's notice of a newer version (in a main window)
        if isinstance(parent, QMainWindow):
            self.update_label = StatusLabel()
            self.update_label.setObjectName("updateNotice")
            self.update_label.setStyleSheet("color: #8d6e00;")
            self.update_label.hide()
            parent.statusBar().addPermanentWidget(self.update_label)
            self.changed.connect(self._show_update_notice)
        if automatic:
            self.timer.start(FIRST_CHECK_MS)

    # ------------------------------------------------------------------ state

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def busy(self) -> bool:
        return self._task is not None or self._job is not None

    @property
    def cancelling(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    def status(self) -> SyncStatus:
        from app.store import records
        from sync.client.client import settings, update_offer

        config = settings(self.store)
        pending = records.waiting_count(self.store)  # 待同步 of the signed-in account (app/store/lifecycle.py)
        if not config.get("credential"):
            return SyncStatus(enrolled=False, pending=pending, running=self.running)
        update = update_offer(self.store)
        last = json.loads(config.get("last_run") or "{}")
        rejected = records.rejected_count(self.store)
        return SyncStatus(enrolled=True, server=config.get("url", ""), user=json.loads(config.get("user") or "{}"),
                          pending=pending, rejected=rejected, running=self.running,
                          last_at=last.get("at", ""), last_counts=last.get("counts", {}),
                          last_error=self.failure_text or last.get("error", ""),
                          last_code="" if self.failure_text else last.get("error_code", ""), update=update,
                          own=getattr(self.store, "account", None) is None or config.get("key_prefix") != "sync.")

    # ------------------------------------------------------------------ a newer version on the server

    def update_notice(self, offer) -> tuple[str, str]:
        """The notice of a newer version the server offers: (one line, the details: this version, notes, URL)."""
        from app.version import version

        line = self.tr("服务器提供新版本 {version}，请联系县局信息科安装。").format(version=offer.version)
        details = [self.tr("本机版本：{current}").format(current=version())]
        if offer.notes:
            details.append(self.tr("说明：{notes}").format(notes=offer.notes))
        if offer.url:
            details.append(self.tr("详情：{url}").format(url=offer.url))
        return line, "\n".join(details)

    def _show_update_notice(self) -> None:
        """The status bar's notice, refreshed whenever the sync state changes (never before the client loads)."""
        if self.update_label is None or self.store.closed or not sync_loaded():
            return
        from sync.client.client import update_offer

        offer = update_offer(self.store)
        if offer is None:
            self.update_label.hide()
            return
        line, details = self.update_notice(offer)
        self.update_label.setText(line)
        self.update_label.setToolTip(details)
        self.update_label.show()

    # ------------------------------------------------------------------ a run

    def start(self) -> bool:
        """Start a sync run in the background; False when other sync work is under way (nothing is started)."""
        if self.busy or self.store.closed:
            return False
        from sync.client.client import SyncClient

        store = self.store
        cancel, stopped = threading.Event(), threading.Event()

        def work(task: Task):
            try:
                # progress goes straight to the signal: Task.report would raise inside the client on cancel,
                # and the client stops by itself between requests when ``cancel`` is set
                with SyncClient(store, cancel=cancel, progress=task.signals.progress.emit) as client:
                    return client.run()
            finally:
                stopped.set()

        self._cancel, self._stopped = cancel, stopped
        self._task = run_in_background(work, on_done=self._done, on_error=self._failed, on_progress=self._progress)
        self.timer.stop()
        self.started.emit()
        self.changed.emit()
        return True

    def cancel(self) -> None:
        """Ask the run to stop; it does after the request in flight (nothing sent is lost)."""
        if self._cancel is not None:
            self._cancel.set()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total, text)

    def _done(self, report) -> None:
        self._task = self._cancel = None
        self.last_report = report
        self.failure_text = ""
        if report.error and not report.cancelled:
            self.failures += 1
            log.info("sync run ended early: %s", report.error)
        elif not report.cancelled:
            self.failures = 0
        self.finished.emit(report)
        self.changed.emit()
        self.schedule()

    def _failed(self, exc: Exception) -> None:
        self._task = self._cancel = None
        self.failures += 1
        # A catalogue error keeps its raw network detail: pages show the plain sentence with 详细信息 (ui/errors.py).
        self.failure_text = str(exc) if isinstance(exc, CunFangError) else plain_message(exc)
        self.finished.emit(exc)
        self.changed.emit()
        self.schedule()

    # ------------------------------------------------------------------ other sync work

    def run_job(self, fn: Callable[[Task], object], *, on_done: Callable[[object], None],
                on_error: Callable[[Exception], None]) -> Task | None:
        """Enrolling or writing a USB package in the background; None (nothing started) while other work runs."""
        if self.busy or self.store.closed:
            return None

        def done(result) -> None:
            self._job = None
            self.changed.emit()
            on_done(result)

        def failed(exc: Exception) -> None:
            self._job = None
            self.changed.emit()
            on_error(exc)

        self._job = run_in_background(fn, on_done=done, on_error=failed)
        self.changed.emit()
        return self._job

    def enrolled_now(self) -> None:
        """The laptop was just enrolled: show it, and with the timer on, send what waits soon."""
        self.failures = 0
        self.changed.emit()
        if self.automatic and not self.running:
            self.timer.start(FIRST_CHECK_MS)

    # ------------------------------------------------------------------ the timer

    def schedule(self) -> None:
        """The next automatic look: the interval, or the backoff after failed runs."""
        if not self.automatic or self.store.closed:
            return
        if self.failures:
            from sync.client.client import backoff_delay

            delay = max(RETRY_MIN_S, backoff_delay(self.failures - 1, base=RETRY_BASE_S, cap=RETRY_CAP_S))
            self.timer.start(int(delay * 1000))
        else:
            self.timer.start(AUTO_SYNC_INTERVAL_MS)

    def tick(self) -> None:
        """Sync now if enrolled, idle and something waits to be sent; otherwise look again later."""
        if self.store.closed:
            return
        if self.busy:
            self.schedule()  # what is running now reschedules when it ends; this only keeps the timer alive
            return
        try:
            from sync.client.client import enrolled
            from sync.client.outbox import outbox_count

            if enrolled(self.store) and outbox_count(self.store) > 0 and self.start():
                return
        except Exception:  # noqa: BLE001 - a background look must never raise into the event loop
            log.exception("automatic sync check failed")
        self.changed.emit()
        self.schedule()

    def shutdown(self) -> None:
        """The window closes: no more timer; a run under way is cancelled and given a moment to stop."""
        self.automatic = False
        self.timer.stop()
        if self._task is not None and self._stopped is not None:
            self.cancel()
            if not self._stopped.wait(SHUTDOWN_WAIT_S):
                log.warning("a sync run was still waiting for the server when the window closed")

"""Starting and killing child processes in tests, the same way on Windows and POSIX.

``Popen.kill()`` is SIGKILL on POSIX and TerminateProcess on Windows: both end the process at once, with no
cleanup of its own (what the durability tests need). A process group (a server and its workers) is killed
with ``killpg`` on POSIX and ``taskkill /T /F`` (the whole tree) on Windows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

WINDOWS = sys.platform == "win32"


def group_kwargs() -> dict:
    """Popen arguments that start the child in its own process group."""
    if WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def kill_hard(process: subprocess.Popen) -> None:
    """End one process at once (kill -9 / TerminateProcess)."""
    if process.poll() is None:
        process.kill()


def kill_group(process: subprocess.Popen, *, hard: bool = True) -> None:
    """End a process started with ``group_kwargs`` and every process it started; ``hard=False`` asks politely
    first where the system can (SIGTERM on POSIX; Windows has no polite stop for a console-less child)."""
    if process.poll() is not None:
        return
    if WINDOWS:
        subprocess.run(["taskkill", "/PID", str(process.pid), "/T", "/F"], capture_output=True, check=False)
        return
    os.killpg(process.pid, signal.SIGKILL if hard else signal.SIGTERM)

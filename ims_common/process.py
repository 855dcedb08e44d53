"""Processes that die with their parent: `make run`'s children (scripts/supervisor.py) and gunicorn's
workers (deploy/gunicorn.conf.py), so a supervisor killed by SIGKILL leaves nothing holding the port."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Asks the kernel for a SIGKILL when the parent dies (Linux; elsewhere nothing). Called in the
    child, between fork and exec or right after a fork; exits at once if the parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        os._exit(70)
    if os.getppid() != parent_pid:   # the parent died before the request took effect
        os._exit(70)

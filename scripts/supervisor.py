"""The process supervisor of `make run` (scripts/run.py): starts each process in a session of its own,
restarts one that exits with a growing delay while the others keep serving, and stops them all.

Children die with the supervisor whatever kills it, SIGKILL included: each child asks the kernel for a
SIGKILL when its parent dies (ims_common/process.py), and gunicorn's workers ask the same of their
master (deploy/gunicorn.conf.py), so nothing is left holding the port.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ims_common.process import die_with_parent

STABLE_AFTER = 30.0   # a child that ran this long before exiting starts again from the first delay


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0            # consecutive quick exits, for the delay
    restarts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    cwd: Path
    env: dict
    say: Callable[[str], None]
    first_delay: float = 1.0
    max_delay: float = 30.0
    children: dict[str, Child] = field(default_factory=dict)

    def add(self, name: str, argv: list[str], log_path: Path) -> None:
        self.children[name] = Child(name, argv, log_path)

    def start_all(self) -> None:
        for child in self.children.values():
            self._start(child)

    def _start(self, child: Child) -> None:
        parent = os.getpid()
        with open(child.log_path, "ab") as log:
            # Own session: Ctrl-C in the terminal reaches the supervisor only, which stops the children.
            child.proc = subprocess.Popen(child.argv, cwd=self.cwd, env=self.env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          preexec_fn=lambda: die_with_parent(parent))
        child.started_at = time.monotonic()
        child.restart_at = None

    def exited(self) -> list[Child]:
        """Children whose process has ended (and is not yet scheduled again)."""
        return [c for c in self.children.values()
                if c.proc is not None and c.restart_at is None and c.proc.poll() is not None]

    def watch(self) -> None:
        """One look at the children: an exit is reported and its restart scheduled; due restarts run."""
        now = time.monotonic()
        for child in self.exited():
            code = child.proc.returncode
            child.failures = 1 if now - child.started_at >= STABLE_AFTER else child.failures + 1
            delay = min(self.max_delay, self.first_delay * 2 ** (child.failures - 1))
            child.restart_at = now + delay
            self.say(f"{child.name} stopped unexpectedly ({exit_reason(code)}); restarting it in {delay:g} s "
                     f"(log: {child.log_path})")
            with open(child.log_path, "a") as log:
                log.write(f"--- supervisor: {child.name} stopped ({exit_reason(code)}); restart in {delay:g} s\n")
        for child in self.children.values():
            if child.restart_at is not None and now >= child.restart_at:
                self._start(child)
                child.restarts += 1
                self.say(f"{child.name} restarted (pid {child.proc.pid}, restart {child.restarts})")

    def stop(self, grace: float) -> list[str]:
        """SIGTERM to every child's process group, SIGKILL to what is left after `grace` seconds.
        Returns the names of the children that had to be killed."""
        running = [c for c in self.children.values() if c.proc is not None and c.proc.poll() is None]
        for child in running:
            _signal_group(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        killed = []
        for child in running:
            try:
                child.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                killed.append(child.name)
                _signal_group(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
        self.kill_all()   # whatever outlived its group's leader (a gunicorn worker)
        return killed

    def kill_all(self) -> None:
        for child in self.children.values():
            if child.proc is not None:
                _signal_group(child.proc.pid, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass

"""Starts the whole system the way `make run` does (scripts/run.py), for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of a process, None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), fields[19]


def children(parent: int) -> dict[int, str]:
    """Live child processes of `parent`: pid -> command line (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[1] == parent and stat[0] != "Z":
                try:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    pass
    return found


def descendants(root: int) -> dict[int, str]:
    found, todo = {}, [root]
    while todo:
        for pid, cmdline in children(todo.pop()).items():
            found[pid] = cmdline
            todo.append(pid)
    return found


def start_time(pid: int) -> str | None:
    """The kernel's start time of a live process, to tell it from a later one given the same pid."""
    stat = _stat(pid)
    return stat[2] if stat and stat[0] != "Z" else None


@dataclass
class RunningSystem:
    url: str
    data_dir: Path
    amqp_uri: str
    process: subprocess.Popen

    def coordinator_credentials(self) -> tuple[str, str]:
        email, password = (self.data_dir / "first-coordinator.txt").read_text().split("\n")[:2]
        return email, password

    def console(self) -> str:
        """What `make run` printed so far."""
        return (self.data_dir / "run.out").read_text(errors="replace")

    def processes(self) -> dict[int, str]:
        """Every live process under the supervisor (its children and theirs): pid -> command line."""
        return descendants(self.process.pid)

    def service_pid(self, name: str) -> int | None:
        """The pid of the supervisor's child running `name` (a service, or "gateway")."""
        marker = "gateway.wsgi:app" if name == "gateway" else f"services.{name}.service"
        for pid, cmdline in children(self.process.pid).items():
            if marker in cmdline:
                return pid
        return None

    def stop(self, timeout: float = 30) -> float:
        """Ctrl-C, as a person would; returns the seconds until the supervisor had exited."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started

    def logs(self) -> str:
        out = []
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            out.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-4000:])
        return "\n".join(out)


@contextmanager
def running_system(data_dir: Path, amqp_uri: str, extra_env: dict | None = None, timeout: float = 120):
    port = free_port()
    env = dict(os.environ, PORT=str(port), IMS_DATA_DIR=str(data_dir), AMQP_URI=amqp_uri,
               **(extra_env or {}))
    for key in list(env):
        if key.endswith("_STORE_URL"):
            del env[key]  # embedded defaults, as `make run` has them
    out = open(data_dir / "run.out", "wb")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run.py")], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    system = RunningSystem(f"http://127.0.0.1:{port}", data_dir, amqp_uri, proc)
    try:
        deadline = time.monotonic() + timeout
        while b"IMS is running" not in (data_dir / "run.out").read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("system did not start:\n" + (data_dir / "run.out").read_text()
                                   + "\n" + system.logs())
            time.sleep(0.2)
        yield system
    finally:
        if proc.poll() is None:
            system.stop()
        out.close()

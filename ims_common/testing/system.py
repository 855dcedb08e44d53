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


@dataclass
class RunningSystem:
    url: str
    data_dir: Path
    amqp_uri: str
    process: subprocess.Popen

    def coordinator_credentials(self) -> tuple[str, str]:
        email, password = (self.data_dir / "first-coordinator.txt").read_text().split("\n")[:2]
        return email, password

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
            proc.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()

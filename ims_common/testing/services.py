"""Runs a nameko service the way `make run` does (`nameko run`, in a process of its own, so eventlet
patches it before anything loads) and waits until it answers over RPC."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _answers(amqp_uri: str, name: str) -> bool:
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=5) as rpc:
            return bool(getattr(rpc, name).health())
    except Exception:
        return False


@contextmanager
def service_process(name: str, amqp_uri: str, log_dir: Path, env: dict | None = None, timeout: float = 60):
    env = dict(os.environ, AMQP_URI=amqp_uri, PYTHONPATH=str(ROOT), **(env or {}))
    log_path = log_dir / f"{name}.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yaml",
                                 f"services.{name}.service"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: proc.poll() is not None or _answers(amqp_uri, name), timeout=timeout)
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{log_path.read_text()}")
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

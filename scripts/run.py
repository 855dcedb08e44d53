"""`make run`: the whole system on its embedded defaults, in the foreground; Ctrl-C stops it all.

Starts RabbitMQ if it is installed but stopped, makes sure a first coordinator exists, runs the four
nameko services and the gateway (gunicorn), waits until /healthz answers, then prints the URL.
Environment: PORT (8000), AMQP_URI, IMS_DATA_DIR (./var), <SERVICE>_STORE_URL.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ims_common import config  # noqa: E402

SERVICES = ("auth", "booking", "payroll", "notification", "webhooks")
COORDINATOR_EMAIL = "coordination@ims.local"


def broker_answers(uri: str) -> bool:
    parsed = urlparse(uri)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=1):
            return True
    except OSError:
        return False


def ensure_broker(uri: str) -> None:
    if broker_answers(uri):
        return
    host = urlparse(uri).hostname or "127.0.0.1"
    if host in ("127.0.0.1", "localhost") and subprocess.run(["which", "rabbitmq-server"],
                                                             capture_output=True).returncode == 0:
        print("RabbitMQ is stopped: starting it (rabbitmq-server -detached)…", flush=True)
        subprocess.run(["rabbitmq-server", "-detached"], check=False)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if broker_answers(uri):
                return
            time.sleep(0.5)
    sys.exit(f"RabbitMQ does not answer at {uri}.\n"
             "Install it (apt-get install rabbitmq-server) and start it (rabbitmq-server -detached),\n"
             "or point AMQP_URI at a running broker.")


def ensure_coordinator(env: dict, data: Path) -> str:
    """Creates the first coordinator once; its credentials are kept in the data folder (mode 600)."""
    creds = data / "first-coordinator.txt"
    if not creds.exists():
        password = "Bi-" + secrets.token_urlsafe(12) + "-7q!"
        subprocess.run([sys.executable, "-m", "services.auth.cli", "create-coordinator",
                        "--email", COORDINATOR_EMAIL, "--first-name", "Coordination",
                        "--last-name", "Banque", "--password", password],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        creds.write_text(f"{COORDINATOR_EMAIL}\n{password}\n")
        creds.chmod(0o600)
    email, password = creds.read_text().split("\n")[:2]
    return f"{email} / {password}"


def start(name: str, argv: list[str], env: dict, logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "ab")
    # Own session: Ctrl-C reaches this supervisor only, which then stops children in order.
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_healthy(url: str, procs: dict, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}", file=sys.stderr)
                return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop_all(procs: dict) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    port = os.environ.get("PORT", "8000")
    data = config.data_dir()
    logs = data / "logs"
    logs.mkdir(exist_ok=True)
    amqp = config.amqp_uri()
    ensure_broker(amqp)
    config.jwt_keys()  # creates the local signing key once, before several processes read it
    env = dict(os.environ, PORT=port, IMS_DATA_DIR=str(data), AMQP_URI=amqp,
               PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    login = ensure_coordinator(env, data)

    procs: dict[str, subprocess.Popen] = {}
    stopping = False
    failed = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for service in SERVICES:
        procs[service] = start(service, [sys.executable, "-m", "nameko", "run", "--config",
                                         "deploy/nameko.yaml", f"services.{service}.service"], env, logs)
    procs["gateway"] = start("gateway", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                         "gateway.wsgi:app"], env, logs)
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, procs):
        print(f"The system did not become healthy; logs are in {logs}", file=sys.stderr)
        stop_all(procs)
        return 1
    print(f"\nIMS is running on {url}\n"
          f"  API: {url}/api/v1 (OpenAPI: {url}/api/v1/openapi.json), health: {url}/healthz\n"
          f"  First coordinator: {login}   (also in {data / 'first-coordinator.txt'})\n"
          f"  Logs: {logs}   Data: {data}\n"
          f"Ctrl-C stops everything.", flush=True)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} stopped unexpectedly (code {proc.returncode}); see {logs}/{name}.log",
                          file=sys.stderr)
                    stopping = failed = True
            time.sleep(0.3)
    finally:
        print("Stopping…", flush=True)
        stop_all(procs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

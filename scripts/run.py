"""`make run`: the whole system on its embedded defaults, in the foreground; Ctrl-C stops it all.

Starts RabbitMQ if it is installed but stopped, makes sure a first coordinator exists, runs the
nameko services and the gateway (gunicorn) under a supervisor (scripts/supervisor.py: a process that
exits is started again after 1, 2, 4… up to 30 s, the others keep serving), waits until /healthz
answers, then prints the URL. Ctrl-C (or SIGTERM) stops everything within 5 s.
Environment: PORT (8000), AMQP_URI, IMS_DATA_DIR (./var), <SERVICE>_STORE_URL, IMS_RESTART_DELAY (1,
the first restart delay in seconds).
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
from scripts.supervisor import Supervisor, exit_reason  # noqa: E402

SERVICES = ("auth", "booking", "payroll", "notification", "webhooks", "reference")
STOP_GRACE = 3.5   # seconds between SIGTERM and SIGKILL on Ctrl-C: everything is down within 5 s
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


def commands() -> dict[str, list[str]]:
    """What each process runs, as `python -m <command>`; the images under deploy/ run the same
    (tests/test_deploy_files.py compares them)."""
    cmds = {s: ["nameko", "run", "--config", "deploy/nameko.yaml", f"services.{s}.service"] for s in SERVICES}
    cmds["gateway"] = ["gunicorn", "-c", "deploy/gunicorn.conf.py", "gateway.wsgi:app"]
    return cmds


def wait_healthy(url: str, supervisor: Supervisor, stopping: list, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping:
        for child in supervisor.exited():
            print(f"{child.name} exited ({exit_reason(child.proc.returncode)})", file=sys.stderr)
            return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def say(message: str) -> None:
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def stop(supervisor: Supervisor) -> None:
    started = time.monotonic()
    print("Stopping…", flush=True)
    killed = supervisor.stop(STOP_GRACE)
    if killed:
        say(f"{', '.join(killed)} did not stop within {STOP_GRACE:g} s: killed (nothing is lost: "
            "stores commit before they answer, and events are delivered again)")
    say(f"Stopped in {time.monotonic() - started:.1f} s.")


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

    supervisor = Supervisor(ROOT, env, say, first_delay=float(os.environ.get("IMS_RESTART_DELAY", "1")))
    for name, command in commands().items():
        supervisor.add(name, [sys.executable, "-m", *command], logs / f"{name}.log")
    signals = []

    def on_signal(signum, frame):
        signals.append(signum)
        if len(signals) > 1:   # a second Ctrl-C: no more waiting
            supervisor.kill_all()
            os._exit(130)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    supervisor.start_all()
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(url, supervisor, signals):
            if not signals:
                print(f"The system did not become healthy; logs are in {logs}", file=sys.stderr)
                return 1
            return 0
        print(f"\nIMS is running on {url}\n"
              f"  API: {url}/api/v1 (OpenAPI: {url}/api/v1/openapi.json), health: {url}/healthz\n"
              f"  First coordinator: {login}   (also in {data / 'first-coordinator.txt'})\n"
              f"  Logs: {logs}   Data: {data}\n"
              f"A process that stops is started again. Ctrl-C stops everything.", flush=True)
        while not signals:
            supervisor.watch()
            time.sleep(0.2)
        return 0
    finally:
        stop(supervisor)


if __name__ == "__main__":
    sys.exit(main())

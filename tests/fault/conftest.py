"""Fault suite: services killed with SIGKILL, the broker restarted, the relay cut between append and
publish, a poison event, the whole OpenAPI fuzzed. Each test runs on a RabbitMQ vhost of its own."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import _ctl, isolated_vhost, vhost_of
from ims_common.testing.services import ROOT, _answers
from ims_common.testing.wait import wait_until

MONTREAL = ZoneInfo("America/Montreal")
COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


class Service:
    """A nameko service in a process of its own (as `make run` runs it) that a test can kill -9 and
    start again on the same store."""

    def __init__(self, module: str, name: str, amqp_uri: str, data_dir: Path):
        self.module, self.name, self.amqp_uri, self.data_dir = module, name, amqp_uri, data_dir
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / f"{name}.log"

    def start(self, timeout: float = 60) -> "Service":
        env = dict(os.environ, AMQP_URI=self.amqp_uri, PYTHONPATH=str(ROOT), IMS_DATA_DIR=str(self.data_dir))
        for key in list(env):
            if key.endswith("_STORE_URL"):
                del env[key]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yaml", self.module],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.wait_answering(timeout)
        return self

    def wait_answering(self, timeout: float = 60) -> None:
        wait_until(lambda: self.proc.poll() is not None or _answers(self.amqp_uri, self.name), timeout=timeout)
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-4000:]}")

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def services(amqp_uri, tmp_path):
    started: list[Service] = []

    def start(name: str, module: str | None = None) -> Service:
        service = Service(module or f"services.{name}.service", name, amqp_uri, tmp_path).start()
        started.append(service)
        return service

    yield start
    for service in reversed(started):
        service.stop()


def started_slot() -> tuple[str, str]:
    """Today and a start a few minutes ago (Montreal): the service report opens at the start."""
    now = datetime.now(MONTREAL)
    start = max(now.replace(hour=0, minute=0, second=0, microsecond=0),
                (now - timedelta(minutes=5)).replace(second=0, microsecond=0))
    return start.date().isoformat(), start.strftime("%H:%M")


def booking_fields(**extra) -> dict:
    date, start_time = started_slot()
    return {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
            "establishment": "HC", "date": date, "start_time": start_time, "duration_minutes": 60,
            **extra}


def report_for(booking: dict) -> dict:
    start = datetime.fromisoformat(booking["start_at"].replace("Z", "+00:00"))
    # A service reported as it ends: no report time lies in the future (the booking domain refuses it).
    end = min(start + timedelta(minutes=60), datetime.now(timezone.utc))
    return {"provided": True, "actual_start": start.isoformat(),
            "actual_end": end.isoformat(), "wait_minutes": 0,
            "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
            "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}


def hire_interpreter(amqp_uri: str) -> dict:
    """An interpreter account made through auth (which must run): booking offers only interpreters its
    copy of auth's profiles knows as active. Returns the actor lifecycle() accepts and reports as.
    First (on a new store) the account of the coordinator the tests act as: notification tells a
    booking's creator by their account, and parks an accept whose creator has none (issue 18)."""
    with rpc_proxy(amqp_uri) as rpc:
        if not rpc.auth.events_since(0, 1):
            coordinator = rpc.auth.create_account(COORDINATOR, {
                "email": "coordination.bi@example.org", "first_name": "Coordination", "last_name": "BI",
                "role": "coordinator"})
            # The first account of a store is numbered 1: the id COORDINATOR has always named.
            assert coordinator["user_id"] == COORDINATOR["user_id"], coordinator
        account = rpc.auth.create_account(COORDINATOR, {
            "email": "ilya.interprete@example.org", "first_name": "Ilya", "last_name": "Interprete",
            "role": "interpreter"})
    return {"user_id": account["user_id"], "role": "interpreter", "name": "Ilya Interprete"}


def lifecycle(rpc, interpreter: dict, **extra) -> str:
    """create, offer, accept, report, close: five events on one booking stream."""
    booking = rpc.booking.create_booking(COORDINATOR, booking_fields(**extra))
    bid = booking["id"]
    rpc.booking.execute(COORDINATOR, bid, "offer", {"interpreter_ids": [interpreter["user_id"]]})
    rpc.booking.execute(interpreter, bid, "accept", {})
    rpc.booking.execute(interpreter, bid, "report", report_for(booking))
    rpc.booking.execute(COORDINATOR, bid, "close", {"comment": "Conforme"})
    return bid


def all_events(rpc) -> list[dict]:
    events, position = [], 0
    while True:
        page = rpc.booking.events_since(position, 1000)
        if not page:
            return events
        events += page
        position = page[-1]["position"]


def rpc_proxy(amqp_uri: str, timeout: float = 30):
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)


def set_write_permission(amqp_uri: str, write_regex: str) -> None:
    _ctl("set_permissions", "-p", vhost_of(amqp_uri), "guest", ".*", write_regex, ".*")

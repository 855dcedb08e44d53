"""The reference service as `make run` runs it, on the real RabbitMQ: the default set is loaded at
its first start, a change made over RPC is published on reference.events, and a consumer keeping the
contract's ReferenceCopy folds it (filling what it missed through events_since)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.services import service_process
from ims_common.testing.wait import wait_until

ROOT = Path(__file__).resolve().parents[3]
COORD = {"user_id": "UBICO0001", "role": "coordinator", "name": "Chloé Coordonnatrice"}


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


@contextmanager
def consumer_process(amqp_uri: str, tmp_path: Path):
    """The copy consumer (tests/copy_consumer.py) in a process of its own, with its own store."""
    env = dict(os.environ, AMQP_URI=amqp_uri, PYTHONPATH=str(ROOT), IMS_DATA_DIR=str(tmp_path / "consumer"))
    with open(tmp_path / "consumer.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", "deploy/nameko.yaml",
                                 "services.reference.tests.copy_consumer"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_change_reaches_a_consumers_copy_through_the_published_event(amqp_uri, tmp_path):
    env = {"IMS_DATA_DIR": str(tmp_path / "reference")}
    with service_process("reference", amqp_uri, tmp_path, env), consumer_process(amqp_uri, tmp_path), \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        loaded = rpc.reference.health()["last_position"]
        assert loaded > 200                                          # the default set, as events
        assert rpc.reference.get_item(COORD, "region", "06")["postal_code"] == "H2T 1H4"

        def consumer_up():
            try:
                return rpc.reference_copy_consumer.health()
            except Exception:
                return None
        assert wait_until(consumer_up, timeout=60)["checkpoint"] == 0   # it has heard nothing yet

        rpc.reference.create_item(COORD, "facility", {
            "code": "HC-CLSC-HM", "establishment": "HC", "label_fr": "CLSC Hochelaga-Maisonneuve",
            "address": "4201, rue Ontario Est", "city": "Montréal", "postal_code": "H1V 1K2",
            "latitude": 45.5450, "longitude": -73.5470})
        wait_until(lambda: rpc.reference_copy_consumer.health()["checkpoint"] == loaded + 1, timeout=60)
        seen = rpc.reference_copy_consumer.lookup("facility", "HC-CLSC-HM")
        assert seen["known"] and seen["item"]["updated_by"]["user_id"] == "UBICO0001"
        assert rpc.reference_copy_consumer.lookup("language", "hu")["item"]["label_fr"] == "Hongrois"
        trip = rpc.reference_copy_consumer.head_office_distance("06-Montréal", "HC-CLSC-HM")
        assert trip["head_office"]["postal_code"] == "H2T 1H4" and 3 < trip["km"] < 6

        rpc.reference.deactivate_item(COORD, "facility", "HC-CLSC-HM", "Fermé")
        wait_until(lambda: not rpc.reference_copy_consumer.lookup("facility", "HC-CLSC-HM")["known"], timeout=60)
        assert rpc.reference_copy_consumer.lookup("facility", "HC-CLSC-HM")["item"]["version"] == 2

    # Started again on the same store: the default set is not loaded twice.
    with service_process("reference", amqp_uri, tmp_path, env), \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        assert rpc.reference.health()["last_position"] == loaded + 2

"""Matching over the real RabbitMQ: auth's profile changes reach the booking service's copy, and its
candidates follow them (an inactivity period takes the interpreter out, with the reason); an offer to
all qualified interpreters reaches exactly the candidates."""
from __future__ import annotations

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.services import service_process
from ims_common.testing.wait import wait_until

COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
BOOKING = {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
           "establishment": "HC", "context": "Santé physique", "date": "2031-03-04", "start_time": "10:00",
           "duration_minutes": 60}


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


def test_candidates_follow_profiles_and_broadcast_offers_them(amqp_uri, tmp_path):
    env = {"IMS_DATA_DIR": str(tmp_path)}
    with service_process("auth", amqp_uri, tmp_path, env), service_process("booking", amqp_uri, tmp_path, env), \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        ids = []
        for n in range(2):
            uid = rpc.auth.create_account(COORDINATOR, {"email": f"arm{n}@example.org", "first_name": "Ani",
                                                        "last_name": f"Arm{n}", "role": "interpreter"})["user_id"]
            rpc.auth.update_profile(COORDINATOR, uid, {
                "language_pairs": [{"source": "Français", "target": "Arménien", "country": "Arménie"}],
                "request_types": ["phone", "video"], "availability": {"always": True, "slots": []}})
            ids.append(uid)
        booking = rpc.booking.create_booking(COORDINATOR, BOOKING)

        def candidates(expected):
            result = rpc.booking.candidates(COORDINATOR, booking["id"])
            found = sorted(c["interpreter_id"] for c in result["candidates"])
            return result if found == sorted(expected) else None

        wait_until(lambda: candidates(ids), timeout=30)
        rpc.auth.update_profile(COORDINATOR, ids[1], {"inactivity_periods": [
            {"start": "2031-03-01T00:00:00Z", "end": "2031-03-10T00:00:00Z", "reason": "congé"}]})
        result = wait_until(lambda: candidates(ids[:1]), timeout=30)
        out = next(e for e in result["excluded"] if e["interpreter_id"] == ids[1])
        assert [r["code"] for r in out["reasons"]] == ["matching.inactivity_period"]

        offered = rpc.booking.execute(COORDINATOR, booking["id"], "offer", {"all_qualified": True})
        assert offered["offered_to"] == ids[:1]
        queue = rpc.booking.to_assign(COORDINATOR, {})
        assert [i["id"] for i in queue["items"]] == [booking["id"]] and queue["items"][0]["open_offers"] == 1

"""The circuit breaker of one endpoint: an endpoint that keeps failing is paused, then probed.

Closed (delivering): deliveries go out in position order, the head retried on its own schedule
(subscriptions.retry_delay). After FAILURES_TO_PAUSE failed attempts in a row (whatever deliveries
they were), the endpoint is paused (open): nothing is sent to it, its backlog waits, pending. When
the pause is over, one probe (the head delivery, an attempt like any other) goes: a success closes
the circuit and the backlog drains in order; a failure pauses it again for twice as long, up to
PAUSE_MAX_SECONDS. Times are seconds since the epoch."""
from __future__ import annotations

FAILURES_TO_PAUSE = 5
PAUSE_FIRST_SECONDS = 60
PAUSE_MAX_SECONDS = 3600

CLOSED = {"paused": False, "failures": 0, "paused_since": None, "pause_seconds": 0, "probe_at": None}


def closed() -> dict:
    return dict(CLOSED)


def after_success(circuit: dict) -> dict:
    return closed()


def after_failure(circuit: dict, now: float) -> dict:
    failures = int(circuit.get("failures") or 0) + 1
    if circuit.get("paused"):                      # a probe failed: pause again, longer
        pause = min(PAUSE_MAX_SECONDS, 2 * int(circuit.get("pause_seconds") or PAUSE_FIRST_SECONDS))
        return dict(circuit, failures=failures, pause_seconds=pause, probe_at=now + pause)
    if failures >= FAILURES_TO_PAUSE:
        return {"paused": True, "failures": failures, "paused_since": now, "pause_seconds": PAUSE_FIRST_SECONDS,
                "probe_at": now + PAUSE_FIRST_SECONDS}
    return dict(circuit, failures=failures)


def probe_due(circuit: dict, now: float) -> bool:
    """True when nothing holds the endpoint back: closed, or paused with its probe due."""
    return not circuit.get("paused") or float(circuit.get("probe_at") or 0) <= now


def resumed(circuit: dict, now: float) -> dict:
    """An operator's resume: the probe goes now."""
    return dict(circuit, probe_at=now) if circuit.get("paused") else circuit

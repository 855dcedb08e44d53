"""Payroll's event types on `payroll.events` (payloads: docs/contracts.md, Payroll), their current
schema versions and upcasters; a reader calls `upcast` so an older version reaches no one unconverted.

PolicyVersionAdded v2: the policy gained the mileage check (road factor, margin, action on an
excess) and the report window; a version stored before (v1) reads with the values those fields had
when they appeared (`upcast_policy`, also for the stored copies of such versions)."""
from __future__ import annotations

CALCULATED = "RemunerationCalculated"     # a computation that changed what a remuneration pays
PERIOD_CLOSED = "PayPeriodClosed"         # a coordinator closed a pay period
POLICY_ADDED = "PolicyVersionAdded"       # an admin added a pay policy version

TYPES = (CALCULATED, PERIOD_CLOSED, POLICY_ADDED)
CURRENT: dict[str, int] = {CALCULATED: 1, PERIOD_CLOSED: 1, POLICY_ADDED: 2}

# The policy fields added by PolicyVersionAdded v2, with the values they had when they appeared.
POLICY_FIELDS_V2 = {"mileage_road_factor": "1.25", "mileage_margin_percent": "20",
                    "mileage_excess_action": "pay_computed", "report_window_before_minutes": 120,
                    "report_window_after_minutes": 240}


def upcast_policy(policy: dict) -> dict:
    """A stored policy dict with every field of the current version."""
    missing = {k: v for k, v in POLICY_FIELDS_V2.items() if k not in policy}
    return {**policy, **missing} if missing else policy


def upcast(envelope: dict) -> dict:
    if envelope.get("type") == POLICY_ADDED and int(envelope.get("schema_version") or 1) < 2:
        data = dict(envelope.get("data") or {})
        data["policy"] = upcast_policy(data.get("policy") or {})
        return {**envelope, "data": data, "schema_version": 2}
    return envelope

"""Payroll's event types on `payroll.events` (payloads: docs/contracts.md, Payroll) and their
current schema versions. No type has an older version yet: `upcast` passes every envelope through,
and a reader calls it anyway so a future version reaches no one unconverted."""
from __future__ import annotations

CALCULATED = "RemunerationCalculated"     # a computation that changed what a remuneration pays
PERIOD_CLOSED = "PayPeriodClosed"         # a coordinator closed a pay period
POLICY_ADDED = "PolicyVersionAdded"       # an admin added a pay policy version

TYPES = (CALCULATED, PERIOD_CLOSED, POLICY_ADDED)
CURRENT: dict[str, int] = {CALCULATED: 1, PERIOD_CLOSED: 1, POLICY_ADDED: 1}


def upcast(envelope: dict) -> dict:
    return envelope

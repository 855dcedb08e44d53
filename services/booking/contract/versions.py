"""Current schema_version of each published booking event type, and the upcasters that bring an
older stored version up to date. Plain Python (no marshmallow): the application layer sets the
version where events are appended and upcasts where events are read.

To change a payload: add the new version's schema in `schemas.py`, bump it here, write the upcaster
from the previous version below, run `python -m services.booking.contract.generate`."""
from __future__ import annotations

from typing import Callable

CURRENT: dict[str, int] = {
    "BookingCreated": 1,
    "BookingOffered": 1,
    "BookingDeclined": 1,
    "BookingAccepted": 1,
    "BookingAssigned": 1,
    "BookingModified": 1,
    "BookingWithdrawn": 2,
    "BookingCancelled": 1,
    "ServiceProvided": 1,
    "ServiceReportCorrected": 1,
    "AttachmentAdded": 1,
    "BookingClosed": 1,
}


def _withdrawn_v1_to_v2(data: dict) -> dict:
    # v1 ({"interpreter_id", "reason"}) predates billable communications made before withdrawing.
    return {**data, "communications": list(data.get("communications") or [])}


# (type, from_version) -> function(data) -> data of from_version + 1
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {
    ("BookingWithdrawn", 1): _withdrawn_v1_to_v2,
}


def current_version(event_type: str) -> int:
    return CURRENT.get(event_type, 1)


def upcast(envelope: dict) -> dict:
    """The envelope (dict) with its data brought to the current version of its type; a copy when
    something changed, the same dict otherwise. Types outside the contract pass unchanged."""
    event_type = envelope.get("type")
    version = int(envelope.get("schema_version") or 1)
    target = current_version(event_type)
    if version >= target:
        return envelope
    data = dict(envelope.get("data") or {})
    while version < target:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise ValueError(f"no upcaster for {event_type} v{version}")
        data = step(data)
        version += 1
    return {**envelope, "schema_version": version, "data": data}

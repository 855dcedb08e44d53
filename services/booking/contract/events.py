"""Booking's event types: their names, the current schema_version of each, and the upcasters that
bring an older stored version up to date. Plain Python (no marshmallow): the booking service sets
the version where events are appended; every reader (booking itself, payroll, notification,
webhooks) upcasts where events are read, before folding (contract/fold.py).

To change a payload: add the new version's schema in `schemas.py`, bump it here, write the upcaster
from the previous version below, run `python -m services.booking.contract.generate`."""
from __future__ import annotations

from typing import Callable

from ims_common.upcasting import upcast as _upcast

CREATED = "BookingCreated"
OFFERED = "BookingOffered"
DECLINED = "BookingDeclined"
ACCEPTED = "BookingAccepted"
ASSIGNED = "BookingAssigned"
MODIFIED = "BookingModified"
WITHDRAWN = "BookingWithdrawn"
CANCELLED = "BookingCancelled"
SERVICE_PROVIDED = "ServiceProvided"
REPORT_CORRECTED = "ServiceReportCorrected"
ATTACHMENT_ADDED = "AttachmentAdded"
CLOSED = "BookingClosed"
OFFERS_WITHDRAWN = "OffersWithdrawn"            # the others' offers once one is taken (they are told)
FLAGGED_UNFILLED = "BookingFlaggedUnfilled"     # still unfilled close to the start (coordinators)
# The bank sends a report back to its interpreter with a comment, instead of validating it (internal:
# the exchange between the bank and its interpreter; the corrected report that follows is public).
REPORT_RETURNED = "ServiceReportReturned"

TYPES = (CREATED, OFFERED, DECLINED, ACCEPTED, ASSIGNED, MODIFIED, WITHDRAWN, CANCELLED,
         SERVICE_PROVIDED, REPORT_CORRECTED, ATTACHMENT_ADDED, CLOSED, OFFERS_WITHDRAWN, FLAGGED_UNFILLED,
         REPORT_RETURNED)
STREAM_PREFIX = "booking-"      # stream id: booking-<number>


def booking_id_of(stream_id: str) -> str:
    return stream_id[len(STREAM_PREFIX):] if stream_id.startswith(STREAM_PREFIX) else stream_id


CURRENT: dict[str, int] = {
    "BookingCreated": 1,
    "BookingOffered": 1,
    "BookingDeclined": 1,
    "BookingAccepted": 1,
    "BookingAssigned": 2,
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


def _assigned_v1_to_v2(data: dict) -> dict:
    # v1 ({"interpreter_id"}) predates the checks on assignment: no rule was overridden.
    return {**data, "override": data.get("override")}


# (type, from_version) -> function(data) -> data of from_version + 1
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {
    ("BookingWithdrawn", 1): _withdrawn_v1_to_v2,
    ("BookingAssigned", 1): _assigned_v1_to_v2,
}


def current_version(event_type: str) -> int:
    return CURRENT.get(event_type, 1)


def upcast(envelope: dict) -> dict:
    """The envelope with its data brought to the current version of its type (see ims_common.upcasting)."""
    return _upcast(envelope, CURRENT, UPCASTERS)

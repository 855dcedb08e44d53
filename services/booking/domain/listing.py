"""Booking lists: the query a caller may ask, turned into a where clause of the document store's
small query language, always narrowed to what the caller may see."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from ims_common import validation as v
from ims_common.errors import Forbidden
from ims_common.times import iso_z
from services.booking.contract.inputs import LIST_QUERY, PAGE_DEFAULTS
from services.booking.contract.vocabulary import STATUSES

from .access import STAFF, role_of
from .inputs import check

# Each queue: the statuses it may hold, and what else its bookings must be. To validate: every paid
# case not yet validated, a cancelled booking that pays someone included (contract/fold.py).
QUEUES = {"to_assign": ("pending",), "missed": ("pending",), "to_validate": ("service_provided", "cancelled")}
QUEUE_WHERE = {"to_assign": {}, "missed": {}, "to_validate": {"awaiting_validation": True}}
# Queues whose where clause already holds only their statuses (awaiting_validation is true of a paid
# case alone): a status term beside it would narrow nothing, and costs the store a read of every
# document in the queue to count it, where the flag's index alone counts them (issue 19).
STATUSES_IMPLIED = frozenset({"to_validate"})


def to_assign_where(now: datetime) -> dict:
    """The one definition of "to assign" (issue 15, item 6), for every view (the list's queue, the
    ranked queue, the dashboard): pending, and its start still to come. A pending booking whose start
    has passed can no longer be filled: it is "missed" (missed_where), for the bank to close out."""
    return {"status": "pending", "start_at": {"gt": iso_z(now)}}


def missed_where(now: datetime) -> dict:
    return {"status": "pending", "start_at": {"lte": iso_z(now)}}
QUERY_FIELDS = tuple(LIST_QUERY)
assert set(QUEUES) == set(LIST_QUERY["queue"]["choices"])


def _count(value, field: str, errors: v.Errors) -> int | None:
    """An integer, also from the digits of a query string (?page=2)."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,7}", value.strip()):
        value = int(value)
    return check(LIST_QUERY[field], value, field, errors, default=PAGE_DEFAULTS[field])


def _statuses(value, errors: v.Errors) -> list[str] | None:
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        errors.add("status", "field.not_a_list")
        return None
    if any(s not in STATUSES for s in value):
        errors.add("status", "field.not_one_of")
        return None
    return list(dict.fromkeys(value))


def scope(actor: dict) -> dict:
    """The where clause of what this actor may see at all."""
    role = role_of(actor)
    if role in STAFF:
        return {}
    if role == "requester":
        return {"establishment": str(actor.get("establishment") or "").upper() or None}
    return {"visible_to": {"contains": actor["user_id"]}}


def parse_query(actor: dict, query, now: datetime | None = None) -> tuple[dict | None, int, int, int]:
    """(where, page, per_page, direction), or ValidationFailed naming each bad parameter.
    where is None when the filters contradict each other (nothing can match); direction is 1 for
    the earliest start first (the default), -1 for the latest first."""
    where = scope(actor)
    query = v.require_object(query)
    errors = v.Errors()
    v.reject_unknown(query, QUERY_FIELDS, errors)
    date_from = check(LIST_QUERY["date_from"], query.get("date_from"), "date_from", errors)
    date_to = check(LIST_QUERY["date_to"], query.get("date_to"), "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors.add("date_to", "field.date_order")
    statuses = _statuses(query.get("status"), errors)
    queue = query.get("queue")
    if queue is not None and queue not in QUEUES:
        errors.add("queue", "field.not_one_of")
    order = check(LIST_QUERY["order"], query.get("order"), "order", errors)
    direction = -1 if order == "desc" else 1
    page = _count(query.get("page"), "page", errors)
    per_page = _count(query.get("per_page"), "per_page", errors)
    errors.raise_if_any()
    assert page is not None and per_page is not None   # else an error was raised just above
    if queue is not None:
        if actor["role"] not in STAFF:
            raise Forbidden("booking.forbidden_role", {"role": actor["role"], "command": "queue"})
        statuses = [s for s in (statuses or QUEUES[queue]) if s in QUEUES[queue]]
        where.update(QUEUE_WHERE[queue])
        moment = now or datetime.now(timezone.utc)
        if queue == "to_assign":
            where["start_at"] = to_assign_where(moment)["start_at"]
        elif queue == "missed":
            where["start_at"] = missed_where(moment)["start_at"]
    if statuses == []:
        return None, page, per_page, direction
    if statuses is not None and not (queue in STATUSES_IMPLIED and set(statuses) == set(QUEUES[queue])):
        where["status"] = {"in": statuses}
    dates = {}
    if date_from:
        dates["gte"] = date_from.isoformat()
    if date_to:
        dates["lte"] = date_to.isoformat()
    if dates:
        where["local_date"] = dates
    return where, page, per_page, direction

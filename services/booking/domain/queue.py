"""The coordinators' queue of bookings still to assign: its paging, what each row tells, its order."""
from __future__ import annotations

from datetime import datetime

from ims_common import validation as v
from services.booking.contract.inputs import PAGE_DEFAULTS, QUEUE_QUERY

from .access import summary
from .matching import holders, urgency

QUEUE_LIMIT = 5000          # pending bookings still to come read at most (far more than a day's)


def paging(query) -> tuple[int, int]:
    """(page, per_page) of a queue query, or ValidationFailed."""
    query = query or {}
    page, per_page = (query.get(name, PAGE_DEFAULTS[name]) for name in ("page", "per_page"))
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (page, per_page)) \
            or not all(QUEUE_QUERY[name]["min"] <= x <= QUEUE_QUERY[name]["max"]
                       for name, x in (("page", page), ("per_page", per_page))):
        raise v.invalid({"page": ["field.out_of_range"]})
    return page, per_page


def row(state: dict, now: datetime) -> dict:
    """A booking's summary, with what tells how urgent it is."""
    item = summary(state)
    item.update(urgency=urgency(state, now), flagged_unfilled=bool(state.get("flagged_unfilled_at")),
                declined_count=len(state.get("declined_by") or []), open_offers=len(holders(state)),
                created_at=state.get("created_at"), offer_rounds=len(state.get("offer_rounds") or []))
    return item


def ordered(rows: list[dict]) -> list[dict]:
    """Flagged first, then by urgency (domain.matching.urgency), start and number."""
    return sorted(rows, key=lambda r: (not r["flagged_unfilled"], r["urgency"], r["start_at"], r["id"]))

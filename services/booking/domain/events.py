"""Events a booking command decides, before the application wraps them in an envelope. Their type
names, versions and the fold over them are booking's contract (contract/events.py, contract/fold.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.booking.contract.events import (  # noqa: F401  (ev.CREATED… in the domain)
    ACCEPTED, ASSIGNED, ATTACHMENT_ADDED, CANCELLED, CLOSED, CREATED, DECLINED, FLAGGED_UNFILLED, MODIFIED,
    OFFERED, OFFERS_WITHDRAWN, REPORT_CORRECTED, REPORT_RETURNED, SERVICE_PROVIDED, TYPES, WITHDRAWN,
)
from services.booking.contract.fold import evolve, evolve_in_place, fold  # noqa: F401


@dataclass(frozen=True)
class Event:
    """An event a command decided; the application wraps it in an envelope (actor, ids, time)."""
    type: str
    data: dict = field(default_factory=dict)

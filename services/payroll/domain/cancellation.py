"""What a cancellation costs, decided where the pay policy lives: a booking cancelled with less
notice than the policy's `late_cancellation_business_hours` (48 by default: "2 jours ouvrables")
is paid as planned in the timed modes; otherwise only the communications made before it are paid
(pricing.py prices it; this module answers the question before anyone cancels)."""
from __future__ import annotations

from datetime import datetime

from ims_common.times import iso_z

from .business_hours import is_late_cancellation, local_date, notice_deadline
from .policy import TIMED, PolicyBook


def cancellation_terms(start: datetime, now: datetime, book: PolicyBook, mode: str | None = None) -> dict:
    """A cancellation at `now` of a service starting at `start`, under the policy in force on the
    service date: `late` (less notice than the window), `paid_as_planned` (late, and the mode is paid
    by time; an unknown mode counts as timed), `deadline` (the last moment that is not late, UTC)."""
    policy = book.policy_for(local_date(start))
    late = is_late_cancellation(now, start, policy)
    timed = mode is None or mode not in policy.modes or policy.rule_for(mode).kind == TIMED
    return {"late": late, "paid_as_planned": late and timed,
            "deadline": iso_z(notice_deadline(start, policy.late_cancellation_business_hours)),
            "business_hours": policy.late_cancellation_business_hours, "policy_version": policy.version}

"""The collections of payroll's document store (all derived from events: a rebuild drops and
refills them) and the small readings several use cases share."""
from __future__ import annotations

from services.auth.contract.profiles import PROFILES
from ims_common.projection import CHECKPOINTS
from ims_common.received_log import RECEIVED
from services.auth.contract.vocabulary import is_staff
from services.reference.contract.copy import COLLECTION as REFERENCE_COPY

BOOKINGS = "pay_bookings"          # booking id -> payroll's copy of the booking (booking's contract fold)
REMUNERATIONS = "remunerations"    # "<booking>:<interpreter>[:w<n>]" -> the latest computation
ENTRIES = "pay_entries"            # "<remuneration key>@<period>" -> amounts booked in a period
PERIODS = "pay_periods"            # period id -> {"status": "closed", ...}
POLICIES = "pay_policies"          # version -> policy dict (versions added to the seed)
READ_MODELS = (BOOKINGS, REMUNERATIONS, ENTRIES, PERIODS, POLICIES, PROFILES, REFERENCE_COPY, RECEIVED,
               CHECKPOINTS)

SYSTEM_ACTOR = {"user_id": "payroll", "role": "system"}


def staff(actor) -> bool:
    return is_staff((actor or {}).get("role"))


def actor_of(actor: dict) -> dict:
    """Who an event of payroll's store names as its actor."""
    return {"user_id": actor["user_id"], "role": actor["role"]}

"""Application layer of the payroll service: its use cases over the stores, one module per group.

Payroll keeps its own copy of each booking (booking's contract fold), of each interpreter's
profile (ProfileCopy over auth's events) and of the reference data (places.py), prices each booking
with the pay policy in force and books the result into pay periods (ledger.py); coordinators close
periods (periods.py) and read statements, exports and billing (statements.py); admins add policy
versions, and anyone may ask what a cancellation would cost (policies.py); a rebuild replays
everything from zero (rebuild.py).

Coordinators' decisions (PayPeriodClosed, PolicyVersionAdded) are events of payroll's own store and
record how far payroll had read booking's, auth's and reference's events, so a rebuild replays the
sources up to each decision, applies it, and reaches the same amounts.

Built by services/payroll/bootstrap.py (service, CLI and tests alike)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ims_common.errors import ValidationFailed
from services.auth.contract.profiles import ProfileCopy
from ims_common.projection import CheckpointedProjector, parked_count, parked_events
from ims_common.received_log import ReceivedLog
from ims_common.times import utc_now
from services.payroll.domain.periods import DEFAULT_CALENDAR, PeriodCalendar
from services.reference.contract.copy import ReferenceCopy

from .ledger import LedgerUseCases
from .periods import PeriodUseCases
from .places import PlacesUseCases
from .policies import PolicyUseCases
from .rebuild import RebuildUseCases
from .records import ENTRIES, REMUNERATIONS
from .statements import StatementUseCases


class PayrollApp(LedgerUseCases, PlacesUseCases, PeriodUseCases, StatementUseCases, PolicyUseCases,
                 RebuildUseCases):
    """The state every use case shares; the use cases are the methods of the classes above."""

    def __init__(self, doc_store, event_store=None, clock: Callable[[], datetime] = utc_now,
                 calendar: PeriodCalendar = DEFAULT_CALENDAR,
                 render_pdf: Callable[[dict, str], bytes] | None = None):
        self.docs = doc_store
        self.events = event_store
        self.clock = clock
        self.calendar = calendar
        self.render_pdf = render_pdf
        self.emit = event_store is not None
        self.received_log = ReceivedLog(doc_store)
        self.profiles = ProfileCopy(doc_store)
        for collection, fields in ((REMUNERATIONS, ["interpreter_id"]), (REMUNERATIONS, ["booking_id"]),
                                   (REMUNERATIONS, ["mileage_claimed", "kind"]),
                                   (ENTRIES, ["period_id"]), (ENTRIES, ["rem_key"])):
            doc_store.ensure_index(collection, fields)
        # One lock for the three sources and the coordinators' decisions: a decision then records
        # checkpoints that match exactly what had been applied (see rebuild). Shared by every
        # payroll process on the store (ims_common/locks.py).
        self._lock = doc_store.lock("payroll")
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply_booking, lock=self._lock)
        self.auth_projector = CheckpointedProjector(doc_store, "auth", self._apply_auth, lock=self._lock)
        self.reference = ReferenceCopy(doc_store)
        self.reference_projector = CheckpointedProjector(doc_store, "reference", self._apply_reference,
                                                         lock=self._lock)
        self._places_index: dict | None = None      # facilities by name, places by postal code
        self._reference_moved = False
        self._validated_places: dict[str, dict] = {}   # rebuild: the places each remuneration was validated with

    def events_since(self, position: int = 0, limit: int = 500) -> list[dict]:
        if isinstance(position, bool) or not isinstance(position, int) or position < 0 \
                or isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValidationFailed("request.invalid", fields={"position": ["field.invalid"]})
        return [e.to_dict() for e in self.events.read_all(position, min(limit, 1000))]

    def received(self, stream_id: str | None = None) -> list[dict]:
        return self.received_log.list(stream_id)

    def parked(self) -> list[dict]:
        """Events of booking, auth or reference payroll could not apply (projector "booking", "auth",
        "reference")."""
        return parked_events(self.docs)

    def health(self) -> dict:
        return {"service": "payroll", "ok": True, "checkpoint": self.projector.checkpoint(),
                "auth_checkpoint": self.auth_projector.checkpoint(),
                "reference_checkpoint": self.reference_projector.checkpoint(), "parked": parked_count(self.docs)}


__all__ = ["PayrollApp"]

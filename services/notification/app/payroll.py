"""payroll's events (a checkpointed projector "payroll", gaps filled by payroll's events_since): a
final remuneration tells its interpreter (with the amount). An event it cannot read, or whose
interpreter the copy of auth's accounts does not hold, raises: the projector retries it, then parks
it (health, the CLI's `parked`), and the events after it go on."""
from __future__ import annotations

from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from services.notification.domain import messages as m
from services.notification.domain.routing import route_remuneration
from services.payroll.contract import events as payroll_events

from .records import BOOKINGS


class PayrollUseCases:
    def on_payroll_event(self, envelope: dict, fetch: Fetch, fetch_auth: Fetch | None = None) -> None:
        """`fetch_auth`: auth's events_since, to learn of an interpreter hired since the copy caught up."""
        with self._asking_auth(self.payroll_projector, fetch_auth):
            self.payroll_projector.on_event(envelope, fetch)

    def catch_up_payroll(self, fetch: Fetch, fetch_auth: Fetch | None = None) -> int:
        with self._asking_auth(self.payroll_projector, fetch_auth):
            self._retry_parked_once_known(self.payroll_projector)
            return self.payroll_projector.catch_up(fetch)

    def _apply_payroll(self, event: StoredEvent) -> None:
        envelope = payroll_events.upcast(event.to_dict())
        if envelope.get("type") != payroll_events.CALCULATED or self._copies_only:
            return
        data = envelope["data"]
        notices = route_remuneration(data)
        if not notices:
            return
        booking = self.docs.get(BOOKINGS, data["booking_id"]) or {"id": data["booking_id"],
                                                                  "number": data["booking_id"]}
        total = (data.get("remuneration") or {}).get("total")
        # The interpreter has an account: one the copy does not hold is caught up, else the event is
        # parked until their account arrives (never told to no one silently).
        interpreter = {data["interpreter_id"]}
        self._catch_up_for(notices, interpreter, self.payroll_projector.name)
        self._tell(envelope["event_id"], notices, booking, lambda lang, _: {"amount": m.amount_phrase(total, lang)})
        self._raise_if_unknown(notices, interpreter)

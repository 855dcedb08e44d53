"""payroll's events: a final remuneration tells its interpreter (with the amount). Anything of an
unexpected shape is logged and ignored, never raised: a message is not worth a stuck queue."""
from __future__ import annotations

import logging

from services.notification.domain import messages as m
from services.notification.domain.routing import route_remuneration
from services.payroll.contract import events as payroll_events

from .records import BOOKINGS

log = logging.getLogger(__name__)


class PayrollUseCases:
    def on_payroll_event(self, envelope: dict) -> None:
        try:
            if not isinstance(envelope, dict) or not envelope.get("event_id"):
                return
            envelope = payroll_events.upcast(envelope)
            if envelope.get("type") != payroll_events.CALCULATED:
                return
            data = envelope.get("data") or {}
            notices = route_remuneration(data)
            if not notices:
                return
            booking = self.docs.get(BOOKINGS, data["booking_id"]) or {"id": data["booking_id"],
                                                                      "number": data["booking_id"]}
            total = (data.get("remuneration") or {}).get("total") if isinstance(data.get("remuneration"), dict) \
                else None
            self._tell(envelope["event_id"], notices, booking, lambda lang, _: {"amount": m.amount_phrase(total, lang)})
        except Exception:
            log.exception("payroll event ignored: %r", envelope)

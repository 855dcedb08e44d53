"""Application layer of the notification service: its use cases, one module per group.

Inputs: booking events (bookings.py: booking's contract fold, then the matrix of domain/routing.py),
auth's events (people.py: the ProfileCopy, eligibility documents' expiry timers), payroll's final
remunerations (payroll.py; each source through its checkpointed projector, an event that cannot be
applied parked), auth's RPC `send_account_message` (accounts.py) and the timers
(timers.py: reminders, expiries, the daily digest). Output: delivery records, sent by
deliveries.py.

- A delivery record is keyed by (event_id, recipient, channel) and created with `insert`: a
  redelivered or replayed event finds it there and sends nothing again.
- Sending works from the records: pending -> sent, or on failure retried with exponential backoff
  (attempt times stored) until `max_attempts`, then failed. Secrets (temporary password, reset link,
  MFA code) are scrubbed from a record once it is sent or failed.
- A due timer creates its deliveries under its own key as event_id (so running it twice finds them
  there and sends nothing twice), then is marked done.
- Time comes from `clock` (aware UTC datetime); tests move it.

Built by services/notification/bootstrap.py (service, CLI and tests alike)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Callable

from ims_common.docstore.port import DocumentStore
from services.auth.contract.profiles import ProfileCopy
from ims_common.projection import CheckpointedProjector, parked_count, parked_events
from ims_common.received_log import ReceivedLog
from ims_common.times import utc_now

from .accounts import AccountUseCases
from .bookings import BookingUseCases
from .deliveries import DeliveryUseCases
from .payroll import PayrollUseCases
from .people import PeopleUseCases
from .records import BOOKINGS, DELIVERIES, TIMERS
from .rebuild import RebuildUseCases
from .timers import TimerUseCases


class NotificationApp(BookingUseCases, PeopleUseCases, PayrollUseCases, AccountUseCases, TimerUseCases,
                      DeliveryUseCases, RebuildUseCases):
    """The state every use case shares; the use cases are the methods of the classes above."""

    def __init__(self, doc_store: DocumentStore, senders: dict, clock: Callable[[], datetime] = utc_now,
                 public_url: str = "http://127.0.0.1:8000", max_attempts: int = 5,
                 retry_base_seconds: float = 30.0, digest_at: str = "07:00",
                 pause: Callable[[], None] = lambda: None):
        self.docs = doc_store
        # Called between two timers or two deliveries of a batch: the service passes eventlet.sleep so
        # that a batch (blocking SQLite writes, file or network sends) lets arriving events be recorded
        # in between instead of holding the process for the whole batch.
        self._pause = pause
        self.senders = senders
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.max_attempts = max(1, int(max_attempts))
        self.retry_base = float(retry_base_seconds)
        self.digest_at = time.fromisoformat(digest_at)
        self._copies_only = False             # a rebuild refills the copies and tells no one
        self.received_log = ReceivedLog(doc_store)
        self.profiles = ProfileCopy(doc_store)
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply_booking)
        self.auth_projector = CheckpointedProjector(doc_store, "auth", self._apply_auth)
        self._fetch_auth: dict = {}         # projector name -> auth's events_since, while it is held (people.py)
        self.payroll_projector = CheckpointedProjector(doc_store, "payroll", self._apply_payroll)
        # One sender and one timer run at a time among every notification process on the store
        # (ims_common/locks.py): two would find the same due delivery and send it twice.
        self._send_lock = doc_store.lock("notification.send")
        self._timer_lock = doc_store.lock("notification.timers")
        for fields in (["status", "next_attempt_at"], ["booking_id"], ["recipient.user_id"], ["event_id"]):
            doc_store.ensure_index(DELIVERIES, fields)
        doc_store.ensure_index(TIMERS, ["status", "due_at"])
        doc_store.ensure_index(BOOKINGS, ["status", "start_at"])

    def tick(self) -> None:
        """What the service's timer runs: due timers, then due deliveries."""
        self.process_timers()
        self.process_due()

    def received(self, stream_id: str | None = None) -> list[dict]:
        return self.received_log.list(stream_id)

    def parked(self) -> list[dict]:
        """Events of booking, auth or payroll notification could not apply (by projector)."""
        return parked_events(self.docs)

    def health(self) -> dict:
        return {"service": "notification", "ok": True, "checkpoint": self.projector.checkpoint(),
                "auth_checkpoint": self.auth_projector.checkpoint(),
                "payroll_checkpoint": self.payroll_projector.checkpoint(), "parked": parked_count(self.docs)}


__all__ = ["NotificationApp"]

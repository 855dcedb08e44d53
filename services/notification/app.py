"""Application layer of the notification service.

Inputs: booking events (CheckpointedProjector "booking"), auth's profile events (CheckpointedProjector
"auth", kept with ProfileCopy), payroll events (RemunerationCalculated, taken defensively), and
auth's RPC `send_account_message`. Output: delivery records, sent by `process_due`.

- A delivery record is keyed by (event_id, recipient, channel) and created with `insert`: a
  redelivered or replayed event finds it there (DuplicateKeyError) and sends nothing again.
- Sending works from the records: pending -> sent, or on failure retried with exponential backoff
  (attempt times stored) until `max_attempts`, then failed. Secrets (temporary password, reset link,
  MFA code) are scrubbed from a record once it is sent or failed.
- Timers (reminder 24 h before a booking, eligibility document expiring in 30 days, daily digest of
  unfilled bookings) are records with a due time and a deterministic key. A due timer creates its
  deliveries under its own key as event_id (so running it twice, e.g. after a crash before it was
  marked done, finds them there and sends nothing twice), then is marked done.
- Time comes from `clock` (aware UTC datetime); tests move it.
"""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Callable

from gateway.contract import links
from ims_common.docstore.port import DocumentStore, DuplicateKeyError
from ims_common.envelope import StoredEvent
from ims_common.errors import ValidationFailed
from ims_common.profile_copy import ProfileCopy
from ims_common.projection import CheckpointedProjector, Fetch
from ims_common.received_log import ReceivedLog
from services.notification.adapters.senders import SendFailed
from services.notification.domain import messages as m

log = logging.getLogger(__name__)

BOOKINGS = "notification_bookings"
DELIVERIES = "deliveries"
TIMERS = "notification_timers"

# The only booking fields this service keeps: nothing about the person served or their health.
BOOKING_FIELDS = ("number", "status", "start_at", "end_at", "mode", "source_language", "target_language",
                  "establishment", "requester_email", "duration_minutes", "due_date")

REMINDER_BEFORE = timedelta(hours=24)
EXPIRY_NOTICE = timedelta(days=30)
UNFILLED_WINDOW = timedelta(hours=48)
DELIVERY_FIELDS = ("id", "event_id", "kind", "booking_id", "recipient", "channel", "lang", "subject",
                   "status", "attempts", "attempt_times", "next_attempt_at", "sent_at", "error", "created_at")


def iso(moment: datetime) -> str:
    """UTC, second precision, 'Z': sorts in time order, like the booking events' start_at."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class NotificationApp:
    def __init__(self, doc_store: DocumentStore, senders: dict | None = None,
                 clock: Callable[[], datetime] = system_clock, public_url: str = "http://127.0.0.1:8000",
                 max_attempts: int = 5, retry_base_seconds: float = 30.0, digest_at: str = "07:00",
                 pause: Callable[[], None] = lambda: None):
        self.docs = doc_store
        # Called between two timers or two deliveries of a batch: the service passes eventlet.sleep so
        # that a batch (blocking SQLite writes, file or network sends) lets arriving events be recorded
        # in between instead of holding the process for the whole batch.
        self._pause = pause
        self.senders = senders or {}
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.max_attempts = max(1, int(max_attempts))
        self.retry_base = float(retry_base_seconds)
        self.digest_at = time.fromisoformat(digest_at)
        self.received_log = ReceivedLog(doc_store)
        self.profiles = ProfileCopy(doc_store)
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply_booking)
        self.auth_projector = CheckpointedProjector(doc_store, "auth", self._apply_auth)
        self._send_lock = threading.RLock()   # green under eventlet: one sender at a time per process
        for fields in (["status", "next_attempt_at"], ["booking_id"], ["recipient.user_id"], ["event_id"]):
            doc_store.ensure_index(DELIVERIES, fields)
        doc_store.ensure_index(TIMERS, ["status", "due_at"])
        doc_store.ensure_index(BOOKINGS, ["status", "start_at"])

    # ------------------------------------------------------------------ inputs
    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def on_auth_event(self, envelope: dict, fetch: Fetch) -> None:
        self.auth_projector.on_event(envelope, fetch)

    def catch_up_auth(self, fetch: Fetch) -> int:
        return self.auth_projector.catch_up(fetch)

    def on_payroll_event(self, envelope: dict) -> None:
        """payroll.events is young: anything unexpected is logged and ignored, never raised."""
        try:
            if not isinstance(envelope, dict) or envelope.get("type") != "RemunerationCalculated":
                return
            data = envelope.get("data") or {}
            if data.get("kind") != "final" or not envelope.get("event_id"):
                return
            booking_id = data.get("booking_id")
            interpreter_id = data.get("interpreter_id")
            if not booking_id or not interpreter_id:
                return
            booking = self.docs.get(BOOKINGS, booking_id) or {"id": booking_id, "number": booking_id}
            total = data.get("total")
            for nested in ("remuneration", "amounts"):   # payroll: remuneration.total (a string)
                if total is None and isinstance(data.get(nested), dict):
                    total = data[nested].get("total")
            self._notify_user(envelope["event_id"], "remuneration_final", interpreter_id, booking,
                              lambda lang: {"amount": _amount(total, lang)})
        except Exception:
            log.exception("payroll event ignored: %r", envelope)

    def send_account_message(self, kind: str, recipient: dict, params: dict | None = None) -> dict:
        params = dict(params or {})
        recipient = recipient if isinstance(recipient, dict) else {}
        if kind not in m.ACCOUNT_KINDS:
            raise ValidationFailed("validation.failed", {"fields": "kind"}, {"kind": ["field.invalid"]})
        if kind == "mfa_code":
            channel = params.get("channel") or "sms"
            if channel not in ("sms", "email"):
                raise ValidationFailed("validation.failed", {"fields": "params.channel"},
                                       {"params.channel": ["field.invalid"]})
            channels = [channel]
        else:
            channels = ["email"]
        user_id = recipient.get("user_id")
        profile = self.profiles.get(user_id) if user_id else None
        switches = (profile or {}).get("notifications") or {}
        lang = m.lang_of(recipient.get("lang") or (profile or {}).get("display_language"))
        values = {"user_id": user_id or "", "link": links.link("login", self.public_url),
                  "password": params.get("password") or params.get("temporary_password") or "",
                  "url": params.get("url") or params.get("link") or params.get("reset_link") or "",
                  "code": params.get("code") or ""}
        event_id = str(params.get("message_id") or uuid.uuid4())
        ids = []
        for channel in channels:
            address = recipient.get("email" if channel == "email" else "mobile")
            if not address:
                continue
            if kind not in m.SECURITY_KINDS and switches.get(f"{channel}_disabled"):
                continue
            subject, body = m.render(kind, lang, channel, values)
            delivery_id = self._queue(event_id, kind, None, {"user_id": user_id, "address": address},
                                      channel, lang, subject, body)
            ids.append(delivery_id)
        self.process_due()
        return {"delivery_ids": ids}

    # ------------------------------------------------------------------ booking events
    def _apply_booking(self, event: StoredEvent) -> None:
        self.received_log.record(event)
        booking_id = event.stream_id[len("booking-"):] if event.stream_id.startswith("booking-") else event.stream_id
        before = self.docs.get(BOOKINGS, booking_id)
        after = self._evolve(before, booking_id, event)
        handler = getattr(self, "_on_" + event.type, None)
        if handler is not None and after is not None:
            handler(event, before or {}, after)

    def _evolve(self, current: dict | None, booking_id: str, event: StoredEvent) -> dict | None:
        """The booking copy after the event; an event already applied leaves it as it is."""
        if current and current.get("_version", 0) >= event.stream_version:
            return current
        data = event.data or {}
        if event.type == "BookingCreated":
            state = {name: data.get(name) for name in BOOKING_FIELDS}
            state.update(id=booking_id, number=data.get("number") or booking_id, status="pending",
                         created_by=(event.actor or {}).get("user_id"), assigned_interpreter_id=None,
                         offered_to=[])
        elif current is None:
            return None
        else:
            state = dict(current)
            if event.type == "BookingOffered":
                state["offered_to"] = list(dict.fromkeys(state.get("offered_to", []) + data.get("interpreter_ids", [])))
            elif event.type in ("BookingAccepted", "BookingAssigned"):
                state.update(status="booked", assigned_interpreter_id=data.get("interpreter_id"))
            elif event.type == "BookingModified":
                state.update({k: v for k, v in (data.get("changes") or {}).items() if k in BOOKING_FIELDS})
                state["status"] = data.get("status", state.get("status"))
            elif event.type == "BookingWithdrawn":
                state.update(status="pending", assigned_interpreter_id=None)
            elif event.type == "BookingCancelled":
                state["status"] = "cancelled"
            elif event.type == "ServiceProvided":
                if state.get("status") in ("booked", "modified"):
                    state["status"] = "service_provided"
            elif event.type == "BookingClosed":
                state["status"] = "closed"
        if state.get("start_at"):
            state["start_at"] = iso(parse(state["start_at"]))
        state["_version"] = event.stream_version
        self.docs.put(BOOKINGS, booking_id, state)
        return state

    def _on_BookingOffered(self, event, before, booking):
        for uid in (event.data or {}).get("interpreter_ids", []):
            self._notify_user(event.event_id, "booking_offered", uid, booking)

    def _on_BookingAccepted(self, event, before, booking, assigned=False):
        interpreter_id = (event.data or {}).get("interpreter_id")
        interpreter = self.profiles.get(interpreter_id) or {}
        contact = ", ".join(c for c in (interpreter.get("mobile"), interpreter.get("phone"),
                                        interpreter.get("email")) if c)
        extra = {"interpreter_name": m.person_name(interpreter) or interpreter_id,
                 "interpreter_contact": contact}
        requester_id = booking.get("created_by")
        told = set()
        requester = self.profiles.get(requester_id) if requester_id else None
        if requester:
            self._notify_user(event.event_id, "booking_accepted", requester_id, booking, lambda lang: extra)
            told.add((requester.get("email") or "").lower())
        email = booking.get("requester_email")
        if email and email.lower() not in told:
            lang = m.lang_of((requester or {}).get("display_language"))
            params = dict(m.booking_params(booking, lang, self.public_url), **extra, name="")
            subject, body = m.render("booking_accepted", lang, "email", params)
            self._queue(event.event_id, "booking_accepted", booking["id"], {"user_id": None, "address": email},
                        "email", lang, subject, body)
        if assigned:
            self._notify_user(event.event_id, "booking_assigned_interpreter", interpreter_id, booking)
        self._schedule_reminder(booking)

    def _on_BookingAssigned(self, event, before, booking):
        self._on_BookingAccepted(event, before, booking, assigned=True)

    def _on_BookingModified(self, event, before, booking):
        changes = (event.data or {}).get("changes") or {}
        interpreter_id = booking.get("assigned_interpreter_id")
        if interpreter_id:
            self._notify_user(event.event_id, "booking_modified", interpreter_id, booking)
        if "start_at" in changes:
            self._cancel_timers(booking["id"], keep=None)
            self._schedule_reminder(booking)

    def _on_BookingWithdrawn(self, event, before, booking):
        interpreter_id = (event.data or {}).get("interpreter_id")
        name = m.person_name(self.profiles.get(interpreter_id)) or interpreter_id
        for coordinator in self._coordinators():
            self._notify_user(event.event_id, "booking_withdrawn", coordinator["user_id"], booking,
                              lambda lang: {"interpreter_name": name})
        self._cancel_timers(booking["id"], keep=None)

    def _on_OffersWithdrawn(self, event, before, booking):
        # First accept won (matching's broadcast): the others are told the offer is gone.
        for uid in (event.data or {}).get("interpreter_ids", []):
            self._notify_user(event.event_id, "offer_withdrawn", uid, booking)

    def _on_BookingCancelled(self, event, before, booking):
        interpreter_id = before.get("assigned_interpreter_id") or booking.get("assigned_interpreter_id")
        if interpreter_id:
            self._notify_user(event.event_id, "booking_cancelled", interpreter_id, booking)
        self._cancel_timers(booking["id"], keep=None)

    # ------------------------------------------------------------------ auth events
    def _apply_auth(self, event: StoredEvent) -> None:
        self.profiles.apply(event)
        user_id = (event.data or {}).get("user_id")
        if event.type == "ProfileUpdated" and user_id:
            profile = self.profiles.get(user_id)
            if profile and profile.get("_version") == event.stream_version:
                self._schedule_expiries(profile)

    def _schedule_expiries(self, profile: dict) -> None:
        user_id = profile["user_id"]
        today = self.clock().astimezone(m.MONTREAL).date()
        keys = set()
        for doc in profile.get("eligibility_documents") or []:
            try:
                expires = date.fromisoformat(doc.get("expires_on") or "")
            except (TypeError, ValueError):
                continue
            if expires < today:
                continue
            key = f"document:{user_id}:{doc.get('id') or doc.get('name')}:{expires.isoformat()}"
            keys.add(key)
            due = datetime.combine(expires - EXPIRY_NOTICE, time(8, 0), m.MONTREAL)
            self._add_timer(key, "document_expiring", due, user_id=user_id, document=doc.get("name") or "",
                            expires_on=expires.isoformat())
        for timer in self.docs.find(TIMERS, {"user_id": user_id, "status": "pending",
                                             "kind": "document_expiring"}):
            if timer["id"] not in keys:
                self.docs.put(TIMERS, timer["id"], dict(timer, status="cancelled"))

    # ------------------------------------------------------------------ timers
    def _schedule_reminder(self, booking: dict) -> None:
        interpreter_id = booking.get("assigned_interpreter_id")
        start = booking.get("start_at")
        if not interpreter_id or not start or booking.get("status") in ("cancelled", "closed"):
            return
        key = f"reminder:{booking['id']}:{interpreter_id}:{start}"
        self._cancel_timers(booking["id"], keep=key)
        self._add_timer(key, "booking_reminder", parse(start) - REMINDER_BEFORE, booking_id=booking["id"],
                        user_id=interpreter_id, start_at=start)

    def _add_timer(self, key: str, kind: str, due: datetime, **fields) -> None:
        existing = self.docs.get(TIMERS, key)
        if existing is None:
            try:
                self.docs.insert(TIMERS, key, {"id": key, "kind": kind, "due_at": iso(due), "status": "pending",
                                               "created_at": iso(self.clock()), "done_at": None, **fields})
            except DuplicateKeyError:
                pass
        elif existing["status"] == "cancelled":      # moved back to a time cancelled before
            self.docs.put(TIMERS, key, dict(existing, status="pending"))

    def _cancel_timers(self, booking_id: str, keep: str | None) -> None:
        for timer in self.docs.find(TIMERS, {"booking_id": booking_id, "status": "pending"}):
            if timer["id"] != keep:
                self.docs.put(TIMERS, timer["id"], dict(timer, status="cancelled"))

    def _ensure_digest(self, now: datetime) -> None:
        today = now.astimezone(m.MONTREAL).date()
        key = f"digest:{today.isoformat()}"
        if self.docs.get(TIMERS, key) is None:
            self._add_timer(key, "unfilled_digest", datetime.combine(today, self.digest_at, m.MONTREAL))

    def process_timers(self) -> int:
        """Runs every due timer once; returns how many ran."""
        now = self.clock()
        self._ensure_digest(now)
        ran = 0
        for timer in self.docs.find(TIMERS, {"status": "pending", "due_at": {"lte": iso(now)}},
                                    order_by=[("due_at", 1)], limit=200):
            try:
                getattr(self, "_fire_" + timer["kind"])(timer, now)
            except Exception:
                log.exception("timer %s failed; will retry", timer["id"])
                continue
            self.docs.put(TIMERS, timer["id"], dict(timer, status="done", done_at=iso(now)))
            ran += 1
            self._pause()
        return ran

    def _fire_booking_reminder(self, timer: dict, now: datetime) -> None:
        booking = self.docs.get(BOOKINGS, timer["booking_id"])
        if (not booking or booking.get("assigned_interpreter_id") != timer["user_id"]
                or booking.get("start_at") != timer["start_at"] or parse(timer["start_at"]) <= now
                or booking.get("status") not in ("booked", "modified")):
            return      # stale: the booking moved on; nothing to remind
        self._notify_user(timer["id"], "booking_reminder", timer["user_id"], booking)

    def _fire_document_expiring(self, timer: dict, now: datetime) -> None:
        owner = self.profiles.get(timer["user_id"]) or {}
        person = m.person_name(owner) or timer["user_id"]
        params = {"document": timer.get("document", ""), "expires_on": timer["expires_on"], "person": person,
                  "link": links.link("profile", self.public_url)}
        recipients = [timer["user_id"]] + [c["user_id"] for c in self._coordinators() if c["user_id"] != timer["user_id"]]
        for uid in recipients:
            self._notify_user(timer["id"], "document_expiring", uid, None, lambda lang: params)

    def _fire_unfilled_digest(self, timer: dict, now: datetime) -> None:
        unfilled = self.docs.find(BOOKINGS, {"status": "pending", "start_at": {"gte": iso(now),
                                                                               "lte": iso(now + UNFILLED_WINDOW)}},
                                  order_by=[("start_at", 1)])
        if not unfilled:
            return

        def params(lang):
            lines = []
            for b in unfilled:
                p = m.booking_params(b, lang, self.public_url)
                lines.append(f"- {p['number']} {p['date']} {p['time']} ({p['languages']}, {p['mode']}) {p['link']}")
            return {"count": len(unfilled), "lines": "\n".join(lines),
                    "link": f"{self.public_url}/bookings?queue=to_assign"}

        for coordinator in self._coordinators():
            self._notify_user(timer["id"], "unfilled_digest", coordinator["user_id"], None, params)

    # ------------------------------------------------------------------ recipients and records
    def _coordinators(self) -> list[dict]:
        return [p for p in self.profiles.by_role("coordinator") if p.get("active", True) is not False]

    def _notify_user(self, event_id: str, kind: str, user_id: str | None, booking: dict | None,
                     extra: Callable[[str], dict] | None = None) -> list[str]:
        """One record per channel the person has and has not switched off."""
        profile = self.profiles.get(user_id) if user_id else None
        if not profile or profile.get("active", True) is False:
            return []
        lang = m.lang_of(profile.get("display_language"))
        params = m.booking_params(booking, lang, self.public_url) if booking else {}
        params["name"] = profile.get("first_name") or ""
        if extra:
            params.update(extra(lang))
        switches = profile.get("notifications") or {}
        ids = []
        for channel, field in (("email", "email"), ("sms", "mobile")):
            address = profile.get(field)
            if not address or (kind not in m.SECURITY_KINDS and switches.get(f"{channel}_disabled")):
                continue
            subject, body = m.render(kind, lang, channel, params)
            ids.append(self._queue(event_id, kind, (booking or {}).get("id"),
                                   {"user_id": user_id, "address": address, "name": m.person_name(profile)},
                                   channel, lang, subject, body))
        return ids

    def _queue(self, event_id: str, kind: str, booking_id: str | None, recipient: dict, channel: str,
               lang: str, subject: str | None, body: str) -> str:
        key = f"{event_id}|{recipient.get('user_id') or recipient['address'].lower()}|{channel}"
        now = iso(self.clock())
        try:
            self.docs.insert(DELIVERIES, key, {
                "id": key, "event_id": event_id, "kind": kind, "booking_id": booking_id, "recipient": recipient,
                "channel": channel, "lang": lang, "subject": subject, "body": body, "status": "pending",
                "attempts": 0, "attempt_times": [], "next_attempt_at": now, "sent_at": None, "error": None,
                "provider_ref": None, "created_at": now})
        except DuplicateKeyError:
            pass        # already recorded: this (event, recipient, channel) is sent once
        return key

    # ------------------------------------------------------------------ sending
    def process_due(self, limit: int = 100) -> int:
        """Sends the deliveries whose time has come; returns how many were tried."""
        with self._send_lock:
            now = self.clock()
            due = self.docs.find(DELIVERIES, {"status": "pending", "next_attempt_at": {"lte": iso(now)}},
                                 order_by=[("next_attempt_at", 1)], limit=limit)
            for record in due:
                self._attempt(record, now)
                self._pause()
            return len(due)

    def _attempt(self, record: dict, now: datetime) -> None:
        record = dict(record, attempts=record["attempts"] + 1,
                      attempt_times=record["attempt_times"] + [iso(now)])
        sender = self.senders.get(record["channel"])
        try:
            if sender is None:
                raise SendFailed(f"no sender for {record['channel']}", permanent=True)
            record["provider_ref"] = sender.send(record["recipient"]["address"], record["subject"], record["body"])
            record.update(status="sent", sent_at=iso(now), error=None)
        except SendFailed as exc:
            record["error"] = str(exc)[:500]
            if exc.permanent or record["attempts"] >= self.max_attempts:
                record["status"] = "failed"
            else:
                delay = self.retry_base * (2 ** (record["attempts"] - 1))
                record["next_attempt_at"] = iso(now + timedelta(seconds=delay))
        except Exception as exc:    # a bug in an adapter: keep the record retryable, log it
            log.exception("sending %s failed", record["id"])
            record["error"] = f"{type(exc).__name__}"
            if record["attempts"] >= self.max_attempts:
                record["status"] = "failed"
            else:
                record["next_attempt_at"] = iso(now + timedelta(seconds=self.retry_base * (2 ** (record["attempts"] - 1))))
        if record["status"] != "pending" and record["kind"] in m.SECRET_KINDS:
            record["body"] = "[scrubbed]"
        self.docs.put(DELIVERIES, record["id"], record)

    def tick(self) -> None:
        """What the service's timer runs: due timers, then due deliveries."""
        self.process_timers()
        self.process_due()

    # ------------------------------------------------------------------ queries
    def deliveries(self, query: dict | None = None) -> list[dict]:
        query = query or {}
        where = {}
        if query.get("booking_id"):
            where["booking_id"] = str(query["booking_id"])
        if query.get("user_id"):
            where["recipient.user_id"] = str(query["user_id"])
        if query.get("status"):
            where["status"] = str(query["status"])
        if query.get("event_id"):
            where["event_id"] = str(query["event_id"])
        limit = min(int(query.get("limit") or 500), 1000)
        rows = self.docs.find(DELIVERIES, where or None, order_by=[("created_at", 1), ("id", 1)], limit=limit)
        return [{k: row.get(k) for k in DELIVERY_FIELDS} for row in rows]

    def received(self, stream_id: str | None = None) -> list[dict]:
        return self.received_log.list(stream_id)

    def health(self) -> dict:
        return {"service": "notification", "ok": True, "checkpoint": self.projector.checkpoint(),
                "auth_checkpoint": self.auth_projector.checkpoint()}


def _amount(total, lang: str) -> str:
    if total in (None, ""):
        return ""
    try:
        value = Decimal(str(total)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return ""
    if lang == "fr":
        text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
        return f" : {text} $"
    return f": ${value:,.2f}"

"""Who is told what: the notification matrix (docs/contracts.md, Notification), as pure rules.

Booking events, timers and payroll's final remunerations each give notices: a kind of message
and its addressee, a person (user id, whose profile gives language, channels and switches), every
active coordinator, or a bare email address (the requester's, given on the booking). The app
resolves addressees and sends; nothing here reads a store.

| kind | when | to |
|---|---|---|
| booking_offered | BookingOffered | each offered interpreter |
| booking_accepted | BookingAccepted, BookingAssigned | creator and requester_email (naming the interpreter, contact) |
| booking_assigned_interpreter | BookingAssigned | the interpreter |
| booking_modified | BookingModified | the assigned interpreter |
| booking_cancelled | BookingCancelled | the interpreter assigned before |
| booking_withdrawn | BookingWithdrawn | coordinators (naming the interpreter) |
| report_returned | ServiceReportReturned | the interpreter who reported (link: the booking's report form) |
| offer_withdrawn | OffersWithdrawn (the first accept won) | each interpreter whose offer is gone |
| booking_reminder | 24 h before the start | the assigned interpreter |
| document_expiring | 30 days before an eligibility document expires | the interpreter and coordinators |
| unfilled_digest | daily at NOTIFICATION_DIGEST_AT, when pending bookings start within 48 h | coordinators |
| remuneration_final | payroll's RemunerationCalculated of kind final | the interpreter |
| temporary_password, reset_link, password_changed | auth's RPC send_account_message | the account's email |
| mfa_code | the same | the account's mobile (SMS) or email, as asked |
| mfa_changed | auth's MfaEnabled (a second factor turned on or replaced) | the account's email |
| contact_changed | auth's ProfileUpdated changing an email, mobile or phone that had a value | the previous email |

Reset links and MFA codes go whatever the person's switches say (messages.SECURITY_KINDS).
"""
from __future__ import annotations

from dataclasses import dataclass

from services.booking.contract import events as booking_events
from services.payroll.contract.vocabulary import FINAL

from .messages import ACCOUNT_KINDS

COORDINATORS = "coordinators"      # an audience: every active coordinator

# What a booking event does to the reminder timer.
SCHEDULE, RESCHEDULE, CANCEL = "schedule", "reschedule", "cancel"


@dataclass(frozen=True)
class Notice:
    kind: str
    to: str | None = None           # a user id, or COORDINATORS (all but the one the notice is about)
    email: str | None = None        # or only an address (told unless a person told already has it)
    about: str | None = None        # the interpreter the message names


@dataclass(frozen=True)
class Routing:
    notices: tuple[Notice, ...] = ()
    reminder: str | None = None     # SCHEDULE, RESCHEDULE or CANCEL


def route_booking_event(event_type: str, data: dict, before: dict, after: dict) -> Routing:
    """`before` / `after`: notification's copy of the booking around the event."""
    if event_type == booking_events.OFFERED:
        return Routing(tuple(Notice("booking_offered", uid) for uid in data.get("interpreter_ids") or []))
    if event_type in (booking_events.ACCEPTED, booking_events.ASSIGNED):
        interpreter = data.get("interpreter_id")
        notices = [Notice("booking_accepted", after.get("created_by"), about=interpreter)]
        if after.get("requester_email"):
            notices.append(Notice("booking_accepted", email=after["requester_email"], about=interpreter))
        if event_type == booking_events.ASSIGNED:
            notices.append(Notice("booking_assigned_interpreter", interpreter))
        return Routing(tuple(notices), reminder=SCHEDULE)
    if event_type == booking_events.MODIFIED:
        assigned = after.get("assigned_interpreter_id")
        modified = (Notice("booking_modified", assigned),) if assigned else ()
        return Routing(modified, reminder=RESCHEDULE if "start_at" in (data.get("changes") or {}) else None)
    if event_type == booking_events.WITHDRAWN:
        return Routing((Notice("booking_withdrawn", COORDINATORS, about=data.get("interpreter_id")),),
                       reminder=CANCEL)
    if event_type == booking_events.REPORT_RETURNED:
        # The report's author (a copy made before reported_by was kept: the assigned interpreter).
        author = after.get("reported_by") or after.get("assigned_interpreter_id")
        return Routing((Notice("report_returned", author),) if author else ())
    if event_type == booking_events.OFFERS_WITHDRAWN:
        return Routing(tuple(Notice("offer_withdrawn", uid) for uid in data.get("interpreter_ids") or []))
    if event_type == booking_events.CANCELLED:
        assigned = before.get("assigned_interpreter_id") or after.get("assigned_interpreter_id")
        return Routing((Notice("booking_cancelled", assigned),) if assigned else (), reminder=CANCEL)
    return Routing()


def route_timer(kind: str, user_id: str | None = None) -> tuple[Notice, ...]:
    """A due timer's notices (the reminder's addressee is checked by the app: still assigned)."""
    if kind == "booking_reminder":
        return (Notice(kind, user_id),)
    if kind == "document_expiring":
        return (Notice(kind, user_id), Notice(kind, COORDINATORS, about=user_id))
    if kind == "unfilled_digest":
        return (Notice(kind, COORDINATORS),)
    raise ValueError(f"unknown timer kind {kind!r}")


def route_remuneration(data: dict) -> tuple[Notice, ...]:
    """payroll's RemunerationCalculated: only a final one is told, to its interpreter."""
    if data.get("kind") != FINAL or not data.get("booking_id") or not data.get("interpreter_id"):
        return ()
    return (Notice("remuneration_final", data["interpreter_id"]),)


def account_channels(kind: str, channel: str | None = None) -> tuple[str, ...]:
    """auth's account messages go by email; an MFA code by the channel asked (SMS by default).
    Raises ValueError naming the bad input ("kind" or "channel")."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError("kind")
    if kind == "mfa_code":
        if (channel or "sms") not in ("sms", "email"):
            raise ValueError("channel")
        return (channel or "sms",)
    return ("email",)

"""The booking service's input rules, as plain data: what each field of a booking, of a command's
payload, of a service report and of a list query may hold. One owner: the booking domain checks its
input with them (domain/inputs.py), and the gateway builds its request schemas from them
(gateway/schemas/bookings.py), hence the OpenAPI document, so the document, the gateway and the
domain say the same thing.

A rule is a dict {"kind": ..., parameters}; "required": True when the field must be given, not
null and not blank; otherwise null reads as absent (in a modification: "clear this field"). Text is
trimmed before it is measured or stored. Kinds:

  text        at most "max" characters; no control characters, except line breaks and tabs when
              "multiline"
  choice      one of "choices"
  code        an establishment code: 2 to 6 capital letters (HC, CHUM)
  identifier  an account's user id (UBIPN0002): a letter or digit, then letters, digits, . _ -
  url         http:// or https:// and no spaces or quotes, at most "max" characters
  email       something@domain.tld, at most "max" characters
  date        YYYY-MM-DD, a real day of the years 2000..2099 (America/Montreal for bookings)
  time        HH:MM on the 24-hour clock
  datetime    YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z or a UTC offset (+HH:MM), years 2000..2099
  integer     a whole number (not a boolean, not a string) in "min".."max"
  boolean     true or false
  decimal     a non-negative decimal as text ("12.5", "12,5") or a whole number: at most "max",
              "places" decimals
  base64      standard base64 text of 1 to "max_bytes" decoded bytes
  list        of "items" (a rule), "min_items".."max_items" of them
  object      "fields": {name: rule}, nothing else
  accept      the constant true (a flag such as all_qualified)
"""
from __future__ import annotations

from ims_common import files

from .vocabulary import BOOKING_FIELDS, DUE_DATE_MODES, MODES, STATUSES, TIMED_MODES

SHORT = 200       # names, languages, codes, labels
LONG = 2000       # free text: details, notes, comments, reasons
DURATION = (15, 720)          # minutes of a timed booking
YEARS = (2000, 2099)          # a date outside is a typing mistake
ID_MAX = 64
MAX_COMMUNICATIONS = 50
MAX_OFFER = 100               # interpreters named in one offer
ATTACHMENT_TYPES = files.ATTACHMENT_TYPES
ATTACHMENT_MAX_BYTES = files.UPLOAD_MAX_BYTES
QUEUES = ("to_assign", "missed", "to_validate")   # missed: pending, start passed (domain/listing.py)
MAX_PER_PAGE = 200


def text(max_length: int = SHORT, *, required: bool = False, multiline: bool = False) -> dict:
    return {"kind": "text", "max": max_length, "required": required, "multiline": multiline}


def integer(low: int, high: int, *, required: bool = False) -> dict:
    return {"kind": "integer", "min": low, "max": high, "required": required}


def kind(name: str, *, required: bool = False, **parameters) -> dict:
    return {"kind": name, "required": required, **parameters}


# ---- the booking's fields (creation; a modification gives only those that change) ---------------

FIELDS: dict[str, dict] = {
    "source_language": text(required=True),
    "target_language": text(required=True),
    "context": text(),
    "context_details": text(LONG, multiline=True),
    "facility": text(),
    "address": text(500, multiline=True),
    "appointment_location": text(),
    "cost_center": text(50),
    "cost_center_description": text(),
    "video_platform": text(),
    "video_secret": text(),
    "requester_name": text(),
    "requester_phone": text(50),
    "note_to_interpreter": text(LONG, multiline=True),
    "message_to_interpreter": text(LONG, multiline=True),
    "comments": text(LONG, multiline=True),
    "mode": kind("choice", required=True, choices=MODES),
    # Required, but a requester's own establishment is always used (so they may leave it out).
    "establishment": kind("code", required=True),
    "video_link": kind("url", max=500),
    "requester_email": kind("email", max=254),
    "date": kind("date"),
    "start_time": kind("time"),
    "duration_minutes": integer(*DURATION),
    "due_date": kind("date"),
}
assert tuple(FIELDS) == BOOKING_FIELDS

# What the mode asks for: a time slot (date, start time, duration) for the timed modes, a due date
# for the others. The fields of the other kind may be given; they are checked, then cleared.
SCHEDULES: dict[str, dict] = {
    "timed": {"modes": TIMED_MODES, "required": ("date", "start_time", "duration_minutes")},
    "due_date": {"modes": DUE_DATE_MODES, "required": ("due_date",)},
}
# A wall-clock time that does not exist, the hour skipped when daylight saving time starts in
# America/Montreal (02:00-02:59 on those Sundays), is refused (time.nonexistent).
TIME_ZONE = "America/Montreal"
# Fixed at creation (the booking number is built from it): a modification may only repeat it.
FIXED = ("establishment",)

# ---- service report ("Détails de l'achèvement"): provided or not ---------------------------------

COMMUNICATION = kind("object", fields={
    "at": kind("datetime", required=True),
    "purpose": text(required=True),
    "requested_by": text(),
})
COMMUNICATIONS = kind("list", items=COMMUNICATION, max_items=MAX_COMMUNICATIONS)

REPORT_COMMON: dict[str, dict] = {
    "provided": kind("boolean", required=True),
    "wait_minutes": integer(0, 1440),
    "distance_km": kind("decimal", max=5000, places=2),
    "travel_minutes": integer(0, 1440),
    "communications": COMMUNICATIONS,
    "words": integer(0, 1_000_000),
    "other_fees_cents": integer(0, 1_000_000),
    "comments": text(LONG, multiline=True),
    # Computed by the service from the actual times; accepted back (a client may resend what it read).
    "actual_minutes": integer(0, 1440),
}
REPORT_PROVIDED: dict[str, dict] = {
    **REPORT_COMMON,
    "actual_start": kind("datetime", required=True),
    "actual_end": kind("datetime", required=True),
    # Required when the service lasted longer than planned (report.overtime_reason_required).
    "overtime_reason": text(LONG, multiline=True),
    "additional_service": kind("boolean"),
}
REPORT_NOT_PROVIDED: dict[str, dict] = {
    **REPORT_COMMON,
    "reason": text(required=True),
    "detailed_reason": text(LONG, multiline=True),
    "cancelled_at": kind("datetime", required=True),
}
REPORT_MAX_HOURS = 24         # actual_end after actual_start, at most a day later

# ---- the commands' payloads (the report ones: REPORT_PROVIDED / REPORT_NOT_PROVIDED) ----------

ATTACHMENT: dict[str, dict] = {
    "filename": text(required=True),
    "content_type": kind("choice", required=True, choices=ATTACHMENT_TYPES),
    "content_base64": kind("base64", required=True, max_bytes=ATTACHMENT_MAX_BYTES),
    "description": text(LONG, multiline=True),
}
OFFER_NAMED: dict[str, dict] = {
    "interpreter_ids": kind("list", required=True, items=kind("identifier", required=True, max=ID_MAX),
                            min_items=1, max_items=MAX_OFFER),
}
OFFER_ALL_QUALIFIED: dict[str, dict] = {"all_qualified": kind("accept", required=True)}

COMMANDS: dict[str, dict[str, dict]] = {
    "offer": OFFER_NAMED,                 # or OFFER_ALL_QUALIFIED: one of the two forms
    "decline": {"reason": text(LONG, multiline=True)},
    "accept": {},
    # override_reason: why the coordinator assigns an interpreter matching excludes (required then, recorded).
    "assign": {"interpreter_id": kind("identifier", required=True, max=ID_MAX),
               "override_reason": text(LONG, multiline=True)},
    "modify": FIELDS,                     # only those that change; none may be cleared if required
    "withdraw": {"reason": text(LONG, multiline=True), "communications": COMMUNICATIONS},
    # cancelled_at: coordinators only (when the bank was told), not in the future.
    "cancel": {"reason": text(LONG, required=True, multiline=True), "cancelled_at": kind("datetime")},
    "report": REPORT_PROVIDED,            # or REPORT_NOT_PROVIDED, by "provided"
    "correct-report": REPORT_PROVIDED,    # the same two forms
    "attachments": ATTACHMENT,
    "close": {"comment": text(LONG, multiline=True)},
    # what the interpreter must look at again before reporting anew (required: they act on it)
    "return-report": {"comment": text(LONG, required=True, multiline=True)},
}
COMMAND_FORMS: dict[str, tuple[dict[str, dict], ...]] = {
    "offer": (OFFER_NAMED, OFFER_ALL_QUALIFIED),
    "report": (REPORT_PROVIDED, REPORT_NOT_PROVIDED),
    "correct-report": (REPORT_PROVIDED, REPORT_NOT_PROVIDED),
}

# ---- list queries ----------------------------------------------------------------------------

LIST_ORDERS = ("asc", "desc")
LIST_QUERY: dict[str, dict] = {
    "date_from": kind("date"),
    "date_to": kind("date"),            # not before date_from (field.date_order)
    "status": kind("list", items=kind("choice", required=True, choices=STATUSES), max_items=len(STATUSES)),
    "queue": kind("choice", choices=QUEUES),   # coordinators
    "order": kind("choice", choices=LIST_ORDERS),   # by start: asc (default) or desc (latest first)
    "page": integer(1, 100_000),
    "per_page": integer(1, MAX_PER_PAGE),
}
QUEUE_QUERY: dict[str, dict] = {
    "page": integer(1, 100_000),
    "per_page": integer(1, MAX_PER_PAGE),
}
PAGE_DEFAULTS = {"page": 1, "per_page": 50}

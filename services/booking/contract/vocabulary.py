"""The words the booking service owns: statuses, request types (modes), and who may try each command.
Every other part (gateway, payroll, notification, webhooks) names them through this module."""
from __future__ import annotations

from services.auth.contract.vocabulary import INTERPRETER, REQUESTER, STAFF, SYSTEM

PENDING, BOOKED, MODIFIED = "pending", "booked", "modified"
SERVICE_PROVIDED, CLOSED, CANCELLED = "service_provided", "closed", "cancelled"
STATUSES = (PENDING, BOOKED, MODIFIED, SERVICE_PROVIDED, CANCELLED, CLOSED)
ACTIVE_STATUSES = (PENDING, BOOKED, MODIFIED)          # still to be done: may be cancelled
ASSIGNED_STATUSES = (BOOKED, MODIFIED, SERVICE_PROVIDED, CLOSED)   # an interpreter holds it

TIMED_MODES = ("in_person", "phone", "video", "professional_service")     # date, start, duration
DUE_DATE_MODES = ("message_transmission", "document_translation")         # a due date instead
MODES = ("in_person", "phone", "video", "message_transmission", "professional_service",
         "document_translation")                                         # the deck's order
assert set(MODES) == set(TIMED_MODES) | set(DUE_DATE_MODES)

# The fields of a booking a requester or coordinator gives (creation, modification): the booking
# document of docs/contracts.md holds these plus what the lifecycle adds (contract/fold.py).
BOOKING_FIELDS = (
    "source_language", "target_language", "context", "context_details", "facility", "address",
    "appointment_location", "cost_center", "cost_center_description", "video_platform", "video_secret",
    "requester_name", "requester_phone", "note_to_interpreter", "message_to_interpreter", "comments",
    "mode", "establishment", "video_link", "requester_email", "date", "start_time", "duration_minutes",
    "due_date")

# How each word reads (French, English): the training deck's own labels.
STATUS_LABELS = {
    PENDING: ("En attente", "Pending"),
    BOOKED: ("Réservé", "Booked"),
    MODIFIED: ("Modifié", "Modified"),
    SERVICE_PROVIDED: ("Service fourni", "Service provided"),
    CLOSED: ("Achevé", "Closed"),
    CANCELLED: ("Annulé", "Cancelled"),
}
MODE_LABELS = {
    "in_person": ("En présentiel", "In person"),
    "phone": ("Par téléphone", "By phone"),
    "video": ("Par vidéoconférence", "By video conference"),
    "message_transmission": ("Transmission de message", "Message transmission"),
    "professional_service": ("Service professionnel", "Professional service"),
    "document_translation": ("Traduction de documents", "Document translation"),
}

# Who may even try each command (DESIGN.md section 2); the domain decides the rest (status, which
# interpreter, time rules). The gateway refuses other roles before calling.
COMMAND_ROLES: dict[str, tuple[str, ...]] = {
    "offer": STAFF + (SYSTEM,),
    "decline": (INTERPRETER,),
    "accept": (INTERPRETER,),
    "assign": STAFF,
    "modify": (REQUESTER,) + STAFF,
    "withdraw": (INTERPRETER,) + STAFF,
    "cancel": (REQUESTER,) + STAFF,
    "report": (INTERPRETER,),
    "correct-report": (INTERPRETER,) + STAFF,
    "attachments": (INTERPRETER,) + STAFF,
    "close": STAFF,
    "flag-unfilled": (SYSTEM,),
}


def _label(table: dict, key, lang: str) -> str:
    french, english = table.get(key, ("", ""))
    return english if lang == "en" else french


def status_label(status, lang: str = "fr") -> str:
    return _label(STATUS_LABELS, status, lang)


def mode_label(mode, lang: str = "fr") -> str:
    return _label(MODE_LABELS, mode, lang)

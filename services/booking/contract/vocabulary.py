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
# The booking fields in words (the deck's labels), e.g. for what a modification changed.
FIELD_LABELS = {
    "source_language": ("Langue de départ", "Source language"),
    "target_language": ("Langue d'arrivée", "Target language"),
    "context": ("Contexte", "Context"), "context_details": ("Contexte (précisions)", "Context details"),
    "facility": ("Installation", "Facility"), "address": ("Adresse", "Address"),
    "appointment_location": ("Lieu du rendez-vous", "Appointment location"),
    "cost_center": ("Centre de coût", "Cost centre"),
    "cost_center_description": ("Unité administrative", "Administrative unit"),
    "video_platform": ("Plateforme vidéo", "Video platform"), "video_secret": ("Code secret", "Secret code"),
    "video_link": ("Lien vidéo", "Video link"),
    "requester_name": ("Demandeur", "Requester"), "requester_phone": ("Téléphone du demandeur", "Requester's phone"),
    "requester_email": ("Courriel du demandeur", "Requester's email"),
    "note_to_interpreter": ("Note à l'interprète", "Note to the interpreter"),
    "message_to_interpreter": ("Message à l'interprète", "Message to the interpreter"),
    "comments": ("Commentaires", "Comments"), "mode": ("Type de demande", "Request type"),
    "establishment": ("Établissement", "Establishment"), "date": ("Date", "Date"),
    "start_time": ("Heure de début", "Start time"), "duration_minutes": ("Durée prévue", "Planned duration"),
    "due_date": ("Échéance", "Due date"),
}
assert set(FIELD_LABELS) == set(BOOKING_FIELDS)

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
    "return-report": STAFF,
    "flag-unfilled": (SYSTEM,),
}


def _label(table: dict, key, lang: str) -> str:
    french, english = table.get(key, ("", ""))
    return english if lang == "en" else french


def status_label(status, lang: str = "fr") -> str:
    return _label(STATUS_LABELS, status, lang)


def mode_label(mode, lang: str = "fr") -> str:
    return _label(MODE_LABELS, mode, lang)


def field_label(name, lang: str = "fr") -> str:
    return _label(FIELD_LABELS, name, lang)

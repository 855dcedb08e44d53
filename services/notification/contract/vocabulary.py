"""The words notification owns, with their French and English labels: the kinds of message it sends
(one per template of domain/messages.py; its tests check they match) and the channels, so a page
says "Nouvelle demande offerte · texto", never "booking_offered · sms"."""
from __future__ import annotations

KIND_LABELS: dict[str, tuple[str, str]] = {
    "booking_offered": ("Demande offerte", "Request offered"),
    "booking_assigned_interpreter": ("Demande assignée à l'interprète", "Request assigned to the interpreter"),
    "booking_accepted": ("Demande réservée", "Request booked"),
    "booking_modified": ("Demande modifiée", "Request modified"),
    "booking_cancelled": ("Demande annulée", "Request cancelled"),
    "booking_withdrawn": ("Interprète retiré", "Interpreter withdrew"),
    "report_returned": ("Rapport renvoyé à corriger", "Report sent back to correct"),
    "offer_withdrawn": ("Offre retirée", "Offer withdrawn"),
    "booking_reminder": ("Rappel de demande", "Request reminder"),
    "remuneration_final": ("Rémunération finalisée", "Remuneration finalised"),
    "document_expiring": ("Document bientôt expiré", "Document expiring"),
    "unfilled_digest": ("Demandes non pourvues", "Unfilled requests"),
    "temporary_password": ("Mot de passe temporaire", "Temporary password"),
    "reset_link": ("Lien de réinitialisation", "Reset link"),
    "mfa_code": ("Code de vérification", "Verification code"),
    "password_changed": ("Mot de passe changé", "Password changed"),
    "contact_changed": ("Coordonnées changées", "Contact details changed"),
    "mfa_changed": ("Double authentification changée", "Two-step verification changed"),
}
CHANNEL_LABELS: dict[str, tuple[str, str]] = {"email": ("courriel", "email"), "sms": ("texto", "text message")}


def kind_label(kind: str | None, lang: str = "fr") -> str:
    labels = KIND_LABELS.get(kind or "")
    return labels[lang == "en"] if labels else ("Autre avis" if lang != "en" else "Other notice")


def channel_label(channel: str | None, lang: str = "fr") -> str:
    labels = CHANNEL_LABELS.get(channel or "")
    return labels[lang == "en"] if labels else ""

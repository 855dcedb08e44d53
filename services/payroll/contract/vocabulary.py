"""The words the payroll service owns: the lines of a remuneration (the seed's "Détails de la
rémunération" screen) and how each reads, and the states of an amount."""
from __future__ import annotations

# Screen order; labels (French, English).
LINES = ("demande", "distance", "travel_time", "phone_communications", "words", "other_fees",
         "extra_fees")
LABELS = {
    "demande": ("Demande", "Service fee"),
    "distance": ("Distance", "Mileage"),
    "travel_time": ("Rémunération du temps de déplacement", "Travel time"),
    "phone_communications": ("Rappels téléphoniques", "Phone communications"),
    "words": ("Mots", "Words"),
    "other_fees": ("Autres frais", "Other fees"),
    "extra_fees": ("Frais supplémentaires", "Extra fees"),
    "subtotal": ("Sous-total", "Subtotal"),
    "gst": ("TPS", "GST"),
    "qst": ("TVQ", "QST"),
    "total": ("Total", "Total"),
}

PROVISIONAL, FINAL, ADJUSTMENT = "provisional", "final", "adjustment"
KIND_LABELS = {
    PROVISIONAL: ("Provisoire", "Provisional"),
    FINAL: ("Final", "Final"),
    ADJUSTMENT: ("Ajustement", "Adjustment"),
}


# The rate a remuneration names (rate_name, rate_description).
RATE_LABELS = {
    "Standard": ("Standard", "Standard"),
    "Heures de bureau": ("Heures de bureau", "Office hours"),
    "Hors heures de bureau": ("Hors heures de bureau", "Outside office hours"),
}


def label(key, lang: str = "fr", table: dict | None = None) -> str:
    """A line's (or, with table=KIND_LABELS, an amount state's) label in French or English."""
    french, english = (table or LABELS).get(key, (key, key))
    return english if lang == "en" else french

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


# What a remuneration's flags ask a coordinator to look at before validating (French, English).
FLAG_LABELS = {
    "no_report": ("Aucun rapport de service : estimation au prévu", "No service report: estimated as planned"),
    "overtime_unjustified": ("Dépassement sans raison : limité au prévu",
                             "Overtime with no reason: limited to the plan"),
    "additional_service_to_review": ("Service supplémentaire déclaré", "Additional service reported"),
    "actual_times_outside_window": ("Heures réelles loin de l'heure du rendez-vous",
                                    "Actual times far from the appointment"),
    "communication_time_missing": ("Communication sans heure", "Communication with no time"),
    "communication_after_withdrawal": ("Communication après le désistement (non payée)",
                                       "Communication after the withdrawal (not paid)"),
    "communication_after_cancellation": ("Communication après l'annulation (non payée)",
                                         "Communication after the cancellation (not paid)"),
    "receipt_missing": ("Frais sans reçu joint (non payés)", "Fees with no receipt attached (not paid)"),
    "mileage_unverified": ("Kilométrage non vérifiable (coordonnées inconnues)",
                           "Mileage cannot be checked (coordinates unknown)"),
    "mileage_reduced": ("Kilométrage réclamé au-delà de la distance calculée : payé à la distance calculée",
                        "Mileage claimed beyond the computed distance: paid at the computed distance"),
    "mileage_excess": ("Kilométrage réclamé au-delà de la distance calculée",
                       "Mileage claimed beyond the computed distance"),
    "mileage_below_threshold": ("Distance calculée sous le seuil : kilométrage non payé",
                                "Computed distance under the threshold: mileage not paid"),
}
# Where the computed distance was measured from (inputs.computed_from).
ORIGIN_LABELS = {
    "home": ("depuis le domicile", "from home"),
    "head_office": ("depuis le siège social de la région principale", "from the main region's head office"),
}

# The rate a remuneration names (rate_name, rate_description).
RATE_LABELS = {
    "Standard": ("Standard", "Standard"),
    "Heures de bureau": ("Heures de bureau", "Office hours"),
    "Hors heures de bureau": ("Hors heures de bureau", "Outside office hours"),
}


def label(key, lang: str = "fr", table: dict | None = None) -> str:
    """A line's (or, with table=KIND_LABELS, an amount state's; FLAG_LABELS, a flag's) label in
    French or English."""
    french, english = (table or LABELS).get(key, (key, key))
    return english if lang == "en" else french


def flag_label(flag, lang: str = "fr") -> str:
    """A flag in words (FLAG_LABELS); one payroll adds later without a label reads as a generic one,
    never as its code."""
    french, english = FLAG_LABELS.get(flag, ("Point à vérifier", "Point to review"))
    return english if lang == "en" else french

"""The words the reference service owns: the kinds of reference data the bank manages, the fields of
each kind, the categories of establishments and report reasons, with their French and English labels.
Every other part names a kind, a field or a category through this module.

Every item has: id, kind, code, label_fr, label_en, active, version, created_at, updated_at,
updated_by ({user_id, role, name}), plus the fields of its kind (FIELDS). Items of the kinds in
SCOPED belong to one establishment and are named "<establishment>:<code>" (a cost centre code repeats
from one establishment to the next); every other item is named by its code."""
from __future__ import annotations

REGION = "region"                    # the 18 health regions (régions sociosanitaires), codes 01..18
ESTABLISHMENT = "establishment"      # CISSS, CIUSSS, non-merged establishments; code = booking prefix
FACILITY = "facility"                # an establishment's sites (installations)
COST_CENTRE = "cost_centre"          # an establishment's accounting units, billed for the service
ADMIN_UNIT = "admin_unit"            # an establishment's administrative units
LANGUAGE = "language"                # the languages the bank serves; code = ISO 639 (1, else 3)
CONTEXT = "context"                  # DPJ, domestic violence, mental health…
REPORT_REASON = "report_reason"      # the service report's lists (see REASON_CATEGORIES)

KINDS = (REGION, ESTABLISHMENT, FACILITY, COST_CENTRE, ADMIN_UNIT, LANGUAGE, CONTEXT, REPORT_REASON)
SCOPED = frozenset({COST_CENTRE, ADMIN_UNIT})
SCOPE_SEPARATOR = ":"

COMMON_FIELDS = ("code", "label_fr", "label_en")
# The fields of each kind beyond the common ones, in the order forms and CSV files show them.
FIELDS: dict[str, tuple[str, ...]] = {
    REGION: ("head_office_name", "address", "city", "postal_code", "latitude", "longitude"),
    ESTABLISHMENT: ("region", "category"),
    FACILITY: ("establishment", "address", "city", "postal_code", "latitude", "longitude"),
    COST_CENTRE: ("establishment", "admin_unit"),
    ADMIN_UNIT: ("establishment", "direction"),
    LANGUAGE: (),
    CONTEXT: ("requires_competency",),
    REPORT_REASON: ("category", "general"),
}
BOOLEAN_FIELDS = frozenset({"requires_competency"})
COORDINATE_FIELDS = ("latitude", "longitude")

# The form of each kind's code (a whole-value regular expression): how the code is stored. Input is
# normalized first (case, a region's leading zero).
_UPPER = r"[A-Z0-9][A-Z0-9_-]{0,29}"
# Not "import": /reference/<kind>/import is the CSV import, so no item may be named so.
_WORD = r"(?!import(?![a-z0-9_]))[a-z0-9][a-z0-9_]{1,59}"
CODE_PATTERNS = {
    REGION: r"0[1-9]|1[0-8]",
    ESTABLISHMENT: r"[A-Z]{2,6}",                  # the booking-number prefix (HC-24240002)
    FACILITY: _UPPER, COST_CENTRE: _UPPER, ADMIN_UNIT: _UPPER,
    LANGUAGE: r"[a-z]{2,3}(-[a-z0-9]{2,8})?",      # ISO 639-1, else 639-3 (yue, prs, fcs)
    CONTEXT: _WORD,
    REPORT_REASON: _WORD,
}


def id_pattern(kind: str) -> str:
    """The form of an item's id (a scoped item's: "<establishment>:<code>")."""
    code = f"(?:{CODE_PATTERNS[kind]})"
    return f"(?:{CODE_PATTERNS[ESTABLISHMENT]}){SCOPE_SEPARATOR}{code}" if kind in SCOPED else code


# Path segment of each kind in the JSON API and the web pages.
SLUGS = {REGION: "regions", ESTABLISHMENT: "establishments", FACILITY: "facilities",
         COST_CENTRE: "cost-centres", ADMIN_UNIT: "administrative-units", LANGUAGE: "languages",
         CONTEXT: "contexts", REPORT_REASON: "report-reasons"}
KIND_OF_SLUG = {slug: kind for kind, slug in SLUGS.items()}

# (French singular, French plural, English singular, English plural)
KIND_LABELS = {
    REGION: ("Région sociosanitaire", "Régions sociosanitaires", "Health region", "Health regions"),
    ESTABLISHMENT: ("Établissement", "Établissements", "Establishment", "Establishments"),
    FACILITY: ("Installation", "Installations", "Facility", "Facilities"),
    COST_CENTRE: ("Centre de coût", "Centres de coût", "Cost centre", "Cost centres"),
    ADMIN_UNIT: ("Unité administrative", "Unités administratives", "Administrative unit",
                 "Administrative units"),
    LANGUAGE: ("Langue", "Langues", "Language", "Languages"),
    CONTEXT: ("Contexte", "Contextes", "Context", "Contexts"),
    REPORT_REASON: ("Raison du rapport de service", "Raisons du rapport de service", "Service report reason",
                    "Service report reasons"),
}

FIELD_LABELS = {
    "code": ("Code", "Code"),
    "label_fr": ("Nom en français", "French name"),
    "label_en": ("Nom en anglais", "English name"),
    "active": ("Actif", "Active"),
    "head_office_name": ("Siège social", "Head office"),
    "address": ("Adresse civique", "Civic address"),
    "city": ("Municipalité", "Municipality"),
    "postal_code": ("Code postal", "Postal code"),
    "latitude": ("Latitude", "Latitude"),
    "longitude": ("Longitude", "Longitude"),
    "region": ("Région sociosanitaire", "Health region"),
    "category": ("Catégorie", "Category"),
    "establishment": ("Établissement", "Establishment"),
    "admin_unit": ("Unité administrative", "Administrative unit"),
    "direction": ("Direction", "Department"),
    "requires_competency": ("Exige une compétence", "Requires a competency"),
    "general": ("Raison générale", "General reason"),
}

CISSS, CIUSSS, NON_MERGED, OTHER = "cisss", "ciusss", "non_merged", "other"
ESTABLISHMENT_CATEGORIES = {
    CISSS: ("CISSS", "CISSS"),
    CIUSSS: ("CIUSSS", "CIUSSS"),
    NON_MERGED: ("Établissement non fusionné", "Non-merged establishment"),
    OTHER: ("Autre organisme", "Other organisation"),
}

OVERTIME, NOT_PROVIDED, NOT_PROVIDED_DETAIL, COMMUNICATION_PURPOSE = (
    "overtime", "not_provided", "not_provided_detail", "communication_purpose")
REASON_CATEGORIES = {
    OVERTIME: ("Raison du dépassement de temps", "Overtime reason"),
    NOT_PROVIDED: ("Raison générale (service non fourni)", "General reason (service not provided)"),
    NOT_PROVIDED_DETAIL: ("Raison détaillée (service non fourni)", "Detailed reason (service not provided)"),
    COMMUNICATION_PURPOSE: ("Objectif de la communication", "Purpose of the communication"),
}
CATEGORY_CHOICES = {ESTABLISHMENT: ESTABLISHMENT_CATEGORIES, REPORT_REASON: REASON_CATEGORIES}

# Which fields name another item, and of which kind (checked when an item is saved).
REFERENCES = {("establishment", "region"): REGION, ("facility", "establishment"): ESTABLISHMENT,
              ("cost_centre", "establishment"): ESTABLISHMENT, ("admin_unit", "establishment"): ESTABLISHMENT,
              ("cost_centre", "admin_unit"): ADMIN_UNIT, ("report_reason", "general"): REPORT_REASON}


def fields_of(kind: str) -> tuple[str, ...]:
    """Every field a client gives for an item of the kind, in display order."""
    return COMMON_FIELDS + FIELDS[kind]


def item_id(kind: str, code: str, establishment: str | None = None) -> str:
    """The id of an item: its code, or "<establishment>:<code>" for the scoped kinds."""
    return f"{establishment}{SCOPE_SEPARATOR}{code}" if kind in SCOPED else code


def split_id(kind: str, value: str) -> tuple[str | None, str]:
    """(establishment, code) of an item id (establishment None for the kinds not scoped)."""
    if kind in SCOPED:
        establishment, _, code = value.partition(SCOPE_SEPARATOR)
        return establishment, code
    return None, value


def kind_label(kind: str, lang: str = "fr", plural: bool = False) -> str:
    fr, fr_plural, en, en_plural = KIND_LABELS.get(kind, (kind,) * 4)
    if lang == "en":
        return en_plural if plural else en
    return fr_plural if plural else fr


def field_label(field: str, lang: str = "fr") -> str:
    fr, en = FIELD_LABELS.get(field, (field, field))
    return en if lang == "en" else fr


def category_label(kind: str, category: str, lang: str = "fr") -> str:
    fr, en = CATEGORY_CHOICES.get(kind, {}).get(category, ("", ""))
    return en if lang == "en" else fr


def label(item: dict | None, lang: str = "fr") -> str:
    """An item's name in the language (English falls back to French)."""
    if not item:
        return ""
    return (item.get("label_en") if lang == "en" else None) or item.get("label_fr") or item.get("code") or ""

"""Validation of one reference item: what a coordinator's form, the JSON API or a CSV row gives,
checked and normalized into the item's fields (vocabulary.fields_of), every mistake collected before
one ValidationFailed("request.invalid", fields={field: [codes]}).

Values may come typed (JSON) or as text (a CSV cell, a web form): "oui"/"non" for a yes-or-no,
"45,5017" for a coordinate, "6" for region 06 (a spreadsheet drops the leading zero).
`lookup(kind, item_id) -> item | None` answers for the items this one names (its region, its
establishment…)."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Callable, Optional

from ims_common import validation as v
from ims_common.errors import Conflict
from services.reference.contract import vocabulary as V

Lookup = Callable[[str, str], Optional[dict]]

CODE_ERRORS = {V.REGION: "reference.field.region_code", V.ESTABLISHMENT: "reference.field.establishment_code",
               V.LANGUAGE: "reference.field.language_code"}
CODE_PATTERNS = {kind: (re.compile(pattern), CODE_ERRORS.get(kind, "reference.field.code_format"))
                 for kind, pattern in V.CODE_PATTERNS.items()}
UPPER_CODES = {V.ESTABLISHMENT, V.FACILITY, V.COST_CENTRE, V.ADMIN_UNIT}
DERIVED_CODES = {V.CONTEXT, V.REPORT_REASON}        # a code may be made from the French name
ENGLISH_REQUIRED = {V.REGION, V.LANGUAGE, V.CONTEXT, V.REPORT_REASON}   # proper names may keep one name
REQUIRED = {
    V.REGION: ("head_office_name", "address", "city", "postal_code", "latitude", "longitude"),
    V.ESTABLISHMENT: ("region", "category"),
    V.FACILITY: ("establishment",),
    V.COST_CENTRE: ("establishment",),
    V.ADMIN_UNIT: ("establishment",),
    V.LANGUAGE: (),
    V.CONTEXT: (),
    V.REPORT_REASON: ("category",),
}
POSTAL_CODE = re.compile(r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]) ?(\d[ABCEGHJ-NPRSTV-Z]\d)")
LATITUDE, LONGITUDE = (Decimal(44), Decimal(63)), (Decimal(-80), Decimal(-57))   # Quebec's extent, rounded out
TRUE_WORDS = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0"}


def slug(text: str) -> str:
    """A code from a name: "Violence conjugale" -> "violence_conjugale"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:60]


def normalize_code(kind: str, value) -> str | None:
    """The code as stored (case and leading zeros restored), or None when it cannot be one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    code = value.strip()
    if kind == V.REGION:
        code = re.sub(r"^(\d{1,2})(\s*[-–—\s].*)?$", r"\1", code)   # "06-Montréal", "6"
        code = code.zfill(2) if code.isdigit() else code
    elif kind in UPPER_CODES:
        code = code.upper()
    else:
        code = code.lower()
    pattern, _ = CODE_PATTERNS[kind]
    return code if pattern.fullmatch(code) else None


def check_code(kind: str, value, errors: v.Errors, field: str = "code") -> str | None:
    raw = v.text(value if not isinstance(value, int) or isinstance(value, bool) else str(value), field, errors, 64,
                 required=True)
    if raw is None:
        return None
    code = normalize_code(kind, raw)
    if code is None:
        errors.add(field, CODE_PATTERNS[kind][1])
    return code


def postal_code(value, field: str, errors: v.Errors, required: bool) -> str | None:
    raw = v.text(value, field, errors, 10, required)
    if raw is None:
        return None
    found = POSTAL_CODE.fullmatch(raw.upper().replace("-", " ").strip())
    if not found:
        errors.add(field, "field.invalid_postal_code")
        return None
    return f"{found.group(1)} {found.group(2)}"


def coordinate(value, field: str, errors: v.Errors, bounds: tuple[Decimal, Decimal]) -> float | None:
    """A decimal degree within Quebec (a point for a comma, "−" for "-"), rounded to 6 places (~10 cm)."""
    if value is None or value is v.MISSING or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors.add(field, f"reference.field.{field}")
        return None
    raw = str(value).strip().replace(",", ".").replace("−", "-").replace(" ", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        errors.add(field, f"reference.field.{field}")
        return None
    return float(round(number, 6))


def boolean(value, field: str, errors: v.Errors, default: bool = False) -> bool:
    if value is None or value is v.MISSING or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors.add(field, "reference.field.not_a_boolean")
    return default


def _reference(kind: str, field: str, value, lookup: Lookup, errors: v.Errors, required: bool,
               establishment: str | None = None) -> str | None:
    """The code of another item this one names, checked against the known items."""
    target = V.REFERENCES[(kind, field)]
    raw = v.text(value if not isinstance(value, int) or isinstance(value, bool) else str(value), field, errors, 64,
                 required)
    if raw is None:
        return None
    code = normalize_code(target, raw)
    unknown = {V.REGION: "reference.field.unknown_region", V.ESTABLISHMENT: "reference.field.unknown_establishment",
               V.ADMIN_UNIT: "reference.field.unknown_admin_unit",
               V.REPORT_REASON: "reference.field.unknown_general_reason"}[target]
    found = lookup(target, V.item_id(target, code, establishment)) if code else None
    if target == V.REPORT_REASON and found and found.get("category") != V.NOT_PROVIDED:
        found = None
    if not found:
        errors.add(field, unknown)
        return None
    if target == V.ESTABLISHMENT and not found.get("active", True):
        errors.add(field, "reference.field.inactive_establishment")
        return None
    return code


def check_item(kind: str, raw: dict, lookup: Lookup, current: dict | None = None) -> dict:
    """The item's fields (every field of vocabulary.fields_of(kind); None where not given), from `raw`
    alone for a new item, or from `current` changed by `raw` (absent: kept; null or "": cleared).
    Raises ValidationFailed naming every wrong field."""
    errors = v.Errors()
    if not isinstance(raw, dict):
        raise v.invalid({"_schema": ["field.not_an_object"]})
    v.reject_unknown(raw, V.fields_of(kind), errors)
    given = {k: raw[k] for k in V.fields_of(kind) if k in raw}
    if current is not None:
        for name in ("code",) + (("establishment",) if kind in V.SCOPED else ()):
            if name in given and not _same(kind, name, given[name], current.get(name)):
                errors.add(name, "reference.field.immutable")
            given.pop(name, None)
        merged = {k: current.get(k) for k in V.fields_of(kind)}
        merged.update(given)
        if kind not in ENGLISH_REQUIRED and current.get("label_en") == current.get("label_fr") and \
                given.get("label_en", current.get("label_en")) == current.get("label_en"):
            merged["label_en"] = None      # one name for both languages: it follows the French one
    else:
        merged = {k: given.get(k) for k in V.fields_of(kind)}
        if kind in DERIVED_CODES and _blank(merged["code"]) and isinstance(merged["label_fr"], str):
            merged["code"] = slug(merged["label_fr"]) or None
    out: dict = {}
    out["code"] = current["code"] if current is not None else check_code(kind, merged["code"], errors)
    out["label_fr"] = v.text(merged["label_fr"], "label_fr", errors, v.SHORT, required=True)
    out["label_en"] = v.text(merged["label_en"], "label_en", errors, v.SHORT, required=kind in ENGLISH_REQUIRED)
    if out["label_en"] is None and kind not in ENGLISH_REQUIRED:
        out["label_en"] = out["label_fr"]
    required = REQUIRED[kind]
    for name in V.FIELDS[kind]:
        value = merged.get(name)
        if name in V.BOOLEAN_FIELDS:
            out[name] = boolean(value, name, errors)
        elif name in V.COORDINATE_FIELDS:
            out[name] = coordinate(value, name, errors, LATITUDE if name == "latitude" else LONGITUDE)
            if out[name] is None and name in required and _blank(value):
                errors.add(name, "field.required")
        elif name == "postal_code":
            out[name] = postal_code(value, name, errors, name in required)
        elif name == "category":
            choices = V.CATEGORY_CHOICES[kind]
            text = v.text(value, name, errors, 40, required=True)
            out[name] = text.lower() if text and text.lower() in choices else None
            if text and out[name] is None:
                errors.add(name, "field.not_one_of")
        elif (kind, name) in V.REFERENCES:
            continue   # below, once the establishment is known
        else:
            out[name] = v.text(value, name, errors, v.SHORT, required=name in required)
    for name in V.FIELDS[kind]:
        if (kind, name) not in V.REFERENCES or name == "general":
            continue
        if name == "establishment" and current is not None and kind in V.SCOPED:
            out[name] = current.get(name)
            continue
        scope = out.get("establishment") if name == "admin_unit" else None
        if name == "admin_unit" and not scope:
            out[name] = None
            continue
        target = V.REFERENCES[(kind, name)]
        if current is not None and current.get(name) and normalize_code(target, merged.get(name)) == current.get(name):
            out[name] = current[name]     # kept as it was (valid when saved, even if deactivated since)
            continue
        out[name] = _reference(kind, name, merged.get(name), lookup, errors, name in required, scope)
    if kind == V.REPORT_REASON:
        out["general"] = _general(merged.get("general"), out.get("category"), lookup, errors)
    if kind in (V.REGION, V.FACILITY) and (out["latitude"] is None) != (out["longitude"] is None) \
            and "latitude" not in errors.fields and "longitude" not in errors.fields:
        errors.add("latitude" if out["latitude"] is None else "longitude", "reference.field.coordinates_pair")
    raise_found(errors)
    return out


# Codes of input well formed field by field that does not fit the data as it stands (an item named
# that does not exist or is inactive) or another field: 409, where a malformed field is 400.
INCONSISTENT = frozenset({
    "reference.field.unknown_region", "reference.field.unknown_establishment",
    "reference.field.inactive_establishment", "reference.field.unknown_admin_unit",
    "reference.field.unknown_general_reason", "reference.field.general_required",
    "reference.field.general_not_allowed", "reference.field.coordinates_pair"})


def raise_found(errors: v.Errors) -> None:
    """ValidationFailed (400) when a field is malformed; Conflict("reference.inconsistent") (409)
    when every field is well formed but some do not fit the reference data or each other."""
    if not errors:
        return
    if all(code in INCONSISTENT for codes in errors.fields.values() for code in codes):
        raise Conflict("reference.inconsistent", {"fields": ", ".join(errors.fields)}, errors.fields)
    errors.raise_if_any()


def _general(value, category, lookup: Lookup, errors: v.Errors) -> str | None:
    if category != V.NOT_PROVIDED_DETAIL:
        if not _blank(value) and category is not None:
            errors.add("general", "reference.field.general_not_allowed")
        return None
    if _blank(value):
        errors.add("general", "reference.field.general_required")
        return None
    return _reference(V.REPORT_REASON, "general", value, lookup, errors, True)


def _blank(value) -> bool:
    return value is None or value is v.MISSING or (isinstance(value, str) and not value.strip())


def _same(kind: str, name: str, given, stored) -> bool:
    target = kind if name == "code" else V.ESTABLISHMENT
    return normalize_code(target, given) == stored if given is not None else False


def changes(before: dict, after: dict, kind: str) -> dict:
    """{field: [before, after]} for each field of the kind that differs."""
    return {k: [before.get(k), after.get(k)] for k in V.fields_of(kind) if before.get(k) != after.get(k)}


def item_id_of(kind: str, fields: dict) -> str:
    return V.item_id(kind, fields["code"], fields.get("establishment"))

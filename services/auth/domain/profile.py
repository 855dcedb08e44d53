"""Profiles: every field of the training deck's "Profil de l'utilisateur" screen, their checks, and who
may change what (docs/contracts.md, "Profiles").

A profile is folded from the account's own stream: AccountCreated gives the basic fields, each
ProfileUpdated carries the whole current profile, AccountDeactivated / AccountReactivated flip
`active`. Plain Python: no I/O here.

Who edits what (the deck, part 3):
- the person: contact data, request types, availability, inactivity periods, notification switches,
  files, eligibility documents not locked by the bank (they add their work permit);
- coordinators and admins only: names, establishment, language pairs, contexts, financial record,
  establishment blocks, and an eligibility document's "account inactive if not valid" (a document so
  marked can no longer be changed or removed by the interpreter: its expiry date would be a loophole).
A person sending back a coordinator-only field unchanged is fine (forms send the whole screen).
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timezone
from typing import Iterable, Optional

from ims_common import files
from ims_common import validation as v
from ims_common.errors import Forbidden
from services.auth.contract.events import (ACCOUNT_CREATED, ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED,
                                           PROFILE_UPDATED, account_stream, current_version)
from services.auth.domain import fields as F
from services.auth.domain import roles as R
from gateway.contract import views as page_views  # the bookings page's views (a default to remember)
from services.booking.contract.vocabulary import MODES  # request types are booking's modes

PROFILE_SCHEMA_VERSION = current_version(PROFILE_UPDATED)

FIELD_FORBIDDEN = "profile.field_forbidden"
NOT_APPLICABLE = "profile.field_not_applicable"
BOTH_NOTIFICATIONS_OFF = "profile.notifications_all_disabled"

REGIONS = (
    "01-Bas-Saint-Laurent", "02-Saguenay–Lac-Saint-Jean", "03-Capitale-Nationale", "04-Mauricie",
    "05-Estrie", "06-Montréal", "07-Outaouais", "08-Abitibi-Témiscamingue", "09-Côte-Nord",
    "10-Nord-du-Québec", "11-Gaspésie–Îles-de-la-Madeleine", "12-Chaudière-Appalaches", "13-Laval",
    "14-Lanaudière", "15-Laurentides", "16-Montérégie", "17-Centre-du-Québec",
)
GENDERS = ("unspecified", "female", "male", "other")
CANADA = ("canada", "ca", "can")
POSTAL_RE = re.compile(r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]) ?(\d[ABCEGHJ-NPRSTV-Z]\d)")
PHONE_CHARS = re.compile(r"[0-9+()\-. ]+")
GST_RE = re.compile(r"\d{9} ?RT ?\d{4}")
QST_RE = re.compile(r"\d{10} ?TQ ?\d{4}")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
TEXT_MAX, LONG_MAX = 200, 2000
MAX_ITEMS = 100

BASIC = ("first_name", "last_name", "email", "mobile", "phone", "display_language", "gender", "list_view")
INTERPRETER_FIELDS = ("region", "address", "postal_code", "country", "work_region_postal_code",
                      "home_coordinates", "request_types", "language_pairs", "contexts", "notifications",
                      "availability", "eligibility_documents", "financial", "inactivity_periods",
                      "establishment_blocks")
REQUESTER_FIELDS = ("establishment", "facility", "cost_centers")
EDITABLE = BASIC + INTERPRETER_FIELDS + REQUESTER_FIELDS
STAFF_ONLY = ("first_name", "last_name", "language_pairs", "contexts", "financial", "establishment_blocks",
              "establishment")
READ_ONLY = ("user_id", "role", "secondary_role", "default_role", "active", "files", "updated_at",
             "updated_by", "available_for_offers", "unavailable_reasons", "created_at",
             "must_change_password", "warnings")
FINANCIAL_KEYS = ("legal_name", "supplier_number", "gst_registered", "gst_number", "gst_from", "gst_to",
                  "qst_registered", "qst_number", "qst_from", "qst_to")


stream_id = account_stream


def empty_financial() -> dict:
    return {k: (False if k.endswith("_registered") else None) for k in FINANCIAL_KEYS}


def base_profile(account: dict) -> dict:
    """A new account's profile: the account's fields and every other field empty."""
    roles = {account.get("role"), account.get("secondary_role")} - {None}
    return {
        "user_id": account.get("user_id"), "role": account.get("role"),
        "secondary_role": account.get("secondary_role"), "default_role": account.get("default_role"),
        "active": account.get("active", True),
        "first_name": account.get("first_name"), "last_name": account.get("last_name"),
        "email": account.get("email"), "mobile": None, "phone": None,
        "display_language": account.get("display_language") or "fr", "gender": "unspecified",
        "list_view": None,
        "region": None, "address": None, "postal_code": None, "country": None,
        "work_region_postal_code": None, "home_coordinates": None,
        "request_types": [], "language_pairs": [], "contexts": [],
        "notifications": {"sms_disabled": False, "email_disabled": False},
        "availability": {"always": True, "slots": []},
        "eligibility_documents": [], "financial": empty_financial(), "files": [],
        "inactivity_periods": [], "establishment_blocks": [],
        "establishment": account.get("establishment") if R.REQUESTER in roles else None,
        "facility": None, "cost_centers": [],
        "available_for_offers": R.INTERPRETER in roles and account.get("active", True) is not False,
        "unavailable_reasons": [] if account.get("active", True) is not False else [{"code": "account_inactive"}],
        "updated_at": account.get("created_at"), "updated_by": None,
    }


def fold(events: Iterable) -> Optional[dict]:
    """The current profile from the account stream's events, with `version` = last stream version."""
    profile: Optional[dict] = None
    for event in events:
        if event.type == ACCOUNT_CREATED:
            profile = base_profile(event.data)
        elif profile is None:
            continue
        elif event.type == PROFILE_UPDATED:
            profile = {**profile, **event.data}
        elif event.type in (ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED):
            profile["active"] = event.type == ACCOUNT_REACTIVATED
        if profile is not None:
            profile["version"] = event.stream_version
    return profile


def roles_of(profile: dict) -> set[str]:
    return {r for r in (profile.get("role"), profile.get("secondary_role")) if r is not None}


def applicable_fields(profile: dict) -> tuple[str, ...]:
    roles = roles_of(profile)
    out: tuple[str, ...] = BASIC
    if R.INTERPRETER in roles:
        out += INTERPRETER_FIELDS
    if R.REQUESTER in roles:
        out += REQUESTER_FIELDS + (("phone",) if "phone" not in out else ())
    return out


def may_read(actor: dict, user_id: str) -> bool:
    return R.is_staff(actor.get("role")) or actor.get("user_id") == user_id


# ---- availability for offers ----

def local_today(now: datetime) -> date:
    from zoneinfo import ZoneInfo
    return now.astimezone(ZoneInfo("America/Montreal")).date()


def expired_locking_documents(profile: dict, today: date) -> list[dict]:
    """Eligibility documents marked "account inactive if not valid" whose expiry date has come
    (America/Montreal): the account is unavailable from 00:00 on the expiry date."""
    out = []
    for doc in profile.get("eligibility_documents") or []:
        expires = doc.get("expires_on")
        if doc.get("inactive_if_invalid") and expires and date.fromisoformat(expires) <= today:
            out.append(doc)
    return out


def availability(profile: dict, today: date) -> tuple[bool, list[dict]]:
    reasons: list[dict] = []
    if profile.get("active") is False:
        reasons.append({"code": "account_inactive"})
    for doc in expired_locking_documents(profile, today):
        reasons.append({"code": "eligibility_document_expired", "document_id": doc["id"],
                        "name": doc.get("name"), "expires_on": doc["expires_on"]})
    available = R.INTERPRETER in roles_of(profile) and not reasons
    return available, reasons


def warnings(profile: dict) -> list[str]:
    n = profile.get("notifications") or {}
    return [BOTH_NOTIFICATIONS_OFF] if n.get("sms_disabled") and n.get("email_disabled") else []


def event_data(profile: dict, now_iso: str, actor: dict, today: date) -> dict:
    """The full profile as ProfileUpdated carries it (docs/contracts.md), availability recomputed."""
    data = {k: val for k, val in profile.items() if k not in ("version", "warnings")}
    data["updated_at"] = now_iso
    data["updated_by"] = {"user_id": actor.get("user_id"), "role": actor.get("role"),
                          "name": actor.get("name")}
    data["available_for_offers"], data["unavailable_reasons"] = availability(data, today)
    return data


# ---- the update command ----

def apply_patch(current: dict, patch, actor: dict, now: datetime, new_id=lambda: uuid.uuid4().hex[:16]) -> dict:
    """The profile after `patch` (a partial profile), checked: ValidationFailed for bad values,
    Forbidden naming the field for a coordinator-only change by someone else."""
    errors = v.Errors()
    if not isinstance(patch, dict):
        errors.add("_schema", "field.not_an_object")
        errors.raise_if_any()
    allowed = applicable_fields(current)
    for key in patch:
        if key in READ_ONLY:
            errors.add(key, "field.read_only")
        elif key not in EDITABLE:
            errors.add(key, "field.unknown")
        elif key not in allowed:
            errors.add(key, NOT_APPLICABLE)
    errors.raise_if_any()
    staff = R.is_staff(actor.get("role"))
    clean: dict = {}
    for key, value in patch.items():
        checker = _CHECKS[key]
        result = checker(value, key, errors, current, new_id)
        clean[key] = result
    # country first, so a postal code is checked against the country it will have
    country = clean.get("country", current.get("country"))
    for key in ("postal_code",):
        code = clean.get(key, current.get(key)) if (key in clean or "country" in clean) else None
        if code is not None and _is_canada(country):
            normalized = _canadian_postal(code)
            if normalized is None:
                errors.add(key, "field.invalid_postal_code")
            else:
                clean[key] = normalized
    errors.raise_if_any()
    if not staff:
        for key in STAFF_ONLY:
            if key in clean and clean[key] != current.get(key):
                raise Forbidden(FIELD_FORBIDDEN, params={"field": key}, fields={key: [FIELD_FORBIDDEN]})
        if "eligibility_documents" in clean:
            _check_documents_by_owner(current.get("eligibility_documents") or [],
                                      clean["eligibility_documents"])
    return {**current, **clean}


def _check_documents_by_owner(before: list[dict], after: list[dict]) -> None:
    field = "eligibility_documents"
    old = {d["id"]: d for d in before}
    new = {d["id"]: d for d in after}
    for doc_id, doc in old.items():
        if doc.get("inactive_if_invalid") and new.get(doc_id) != doc:   # changed or removed
            raise Forbidden(FIELD_FORBIDDEN, params={"field": field}, fields={field: [FIELD_FORBIDDEN]})
    for doc_id, doc in new.items():
        was = old.get(doc_id, {}).get("inactive_if_invalid", False)
        if bool(doc.get("inactive_if_invalid")) != bool(was):
            raise Forbidden(FIELD_FORBIDDEN, params={"field": f"{field}.inactive_if_invalid"},
                            fields={field: [FIELD_FORBIDDEN]})


# ---- field checks: each returns the normalized value (None clears an optional field) ----

def _text(max_len=TEXT_MAX):
    def check(value, key, errors, current, new_id):
        return v.text(value, key, errors, max_len, required=False)
    return check


def _required_text(value, key, errors, current, new_id):
    return F.name(value, key, errors)


def _email(value, key, errors, current, new_id):
    return v.email(value, key, errors, required=True)


def _phone_digits(value, key, errors) -> Optional[str]:
    raw = v.text(value, key, errors, 40, required=False)
    if raw is None:
        return None
    digits = re.sub(r"\D", "", raw)
    if not PHONE_CHARS.fullmatch(raw) or not 10 <= len(digits) <= 15:
        errors.add(key, "field.invalid_phone")
        return None
    return raw


def _phone(value, key, errors, current, new_id):
    return _phone_digits(value, key, errors)


def _mobile(value, key, errors, current, new_id):
    """Normalized to E.164 (+15819909582): SMS and MFA codes go there."""
    raw = _phone_digits(value, key, errors)
    if raw is None:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10 and not raw.startswith("+"):
        digits = "1" + digits
    return "+" + digits


def _choice(choices, required=False):
    def check(value, key, errors, current, new_id):
        if value is None and not required:
            return None
        if not isinstance(value, str):
            errors.add(key, "field.not_a_string")
            return None
        return v.one_of(value, choices, key, errors, required=True)
    return check


def _display_language(value, key, errors, current, new_id):
    if not isinstance(value, str):
        errors.add(key, "field.required" if value is None else "field.not_a_string")
        return None
    return v.one_of(value.lower(), F.LANGUAGES, key, errors, required=True)


def _gender(value, key, errors, current, new_id):
    return _choice(GENDERS)(value, key, errors, current, new_id) or "unspecified"


def _is_canada(country) -> bool:
    return isinstance(country, str) and country.strip().lower() in CANADA


def _canadian_postal(value) -> Optional[str]:
    if not isinstance(value, str):
        return None
    match = POSTAL_RE.fullmatch(value.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def _postal_text(value, key, errors, current, new_id):
    return v.text(value, key, errors, 20, required=False)   # checked against the country above


def _work_postal(value, key, errors, current, new_id):
    raw = v.text(value, key, errors, 20, required=False)
    if raw is None:
        return None
    normalized = _canadian_postal(raw)   # the main work region is in Quebec
    if normalized is None:
        errors.add(key, "field.invalid_postal_code")
    return normalized


def _is_object(value, key, errors) -> bool:
    if not isinstance(value, dict):
        errors.add(key, "field.not_an_object")
        return False
    return True


def _is_list(value, key, errors) -> bool:
    if not isinstance(value, list):
        errors.add(key, "field.not_a_list")
        return False
    if len(value) > MAX_ITEMS:
        errors.add(key, "field.too_many")
        return False
    return True


def _keys(value: dict, allowed, key, errors) -> None:
    for k in value:
        if k not in allowed:
            errors.add(f"{key}.{k}", "field.unknown")


def _bool(value, key, errors, default=False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        errors.add(key, "field.not_a_boolean")
        return default
    return value


def _date(value, key, errors, required=False) -> Optional[str]:
    if value is None:
        if required:
            errors.add(key, "field.required")
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        errors.add(key, "field.invalid_date")
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        errors.add(key, "field.invalid_date")
        return None


def _datetime_utc(value, key, errors) -> Optional[str]:
    if not isinstance(value, str) or len(value) > 40:
        errors.add(key, "field.required" if value is None else "field.invalid_datetime")
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        errors.add(key, "field.invalid_datetime")
        return None
    if moment.tzinfo is None:
        errors.add(key, "field.invalid_datetime")
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _item_id(item: dict, key, errors, new_id) -> Optional[str]:
    value = item.get("id")
    if value is None:
        return new_id()
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        errors.add(f"{key}.id", "field.invalid_format")
        return None
    return value


def _home_coordinates(value, key, errors, current, new_id):
    if value is None:
        return None
    if not _is_object(value, key, errors):
        return None
    _keys(value, ("lat", "lon"), key, errors)
    out = {}
    for k, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        x = value.get(k)
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not lo <= x <= hi:
            errors.add(f"{key}.{k}", "field.out_of_range")
        else:
            out[k] = float(x)
    return out if len(out) == 2 else None


def _request_types(value, key, errors, current, new_id):
    if not _is_list(value, key, errors):
        return None
    out = []
    for item in value:
        if item not in MODES:
            errors.add(key, "field.not_one_of")
        elif item not in out:
            out.append(item)
    return [m for m in MODES if m in out]


def _strings(value, key, errors, current, new_id):
    if not _is_list(value, key, errors):
        return None
    out = []
    for item in value:
        text = v.text(item, key, errors, TEXT_MAX, required=True)
        if text is not None and text not in out:
            out.append(text)
    return out


def _objects(item_check):
    def check(value, key, errors, current, new_id):
        if value is None:
            return []
        if not _is_list(value, key, errors):
            return None
        out = []
        for item in value:
            if not _is_object(item, key, errors):
                continue
            result = item_check(item, key, errors, new_id)
            if result is not None:
                out.append(result)
        return out
    return check


def _language_pair(item, key, errors, new_id):
    _keys(item, ("source", "target", "country"), key, errors)
    return {"source": v.text(item.get("source"), f"{key}.source", errors, TEXT_MAX, required=True),
            "target": v.text(item.get("target"), f"{key}.target", errors, TEXT_MAX, required=True),
            "country": v.text(item.get("country"), f"{key}.country", errors, TEXT_MAX, required=False)}


def _slot(item, key, errors, new_id):
    _keys(item, ("weekday", "start", "end"), key, errors)
    weekday = item.get("weekday")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        errors.add(f"{key}.weekday", "field.out_of_range")
    times = []
    for k in ("start", "end"):
        raw = item.get(k)
        try:
            if not isinstance(raw, str) or not re.fullmatch(r"\d{2}:\d{2}", raw):
                raise ValueError
            times.append(time.fromisoformat(raw))
        except ValueError:
            errors.add(f"{key}.{k}", "field.invalid_time")
    if len(times) == 2 and times[1] <= times[0] and item.get("end") != "00:00":
        errors.add(f"{key}.end", "field.date_order")
    return {"weekday": weekday, "start": item.get("start"), "end": item.get("end")}


def _availability(value, key, errors, current, new_id):
    if not _is_object(value, key, errors):
        return None
    _keys(value, ("always", "slots"), key, errors)
    merged = {**(current.get(key) or {}), **value}
    slots = _objects(_slot)(merged.get("slots"), f"{key}.slots", errors, current, new_id)
    return {"always": _bool(merged.get("always"), f"{key}.always", errors), "slots": slots or []}


def _notifications(value, key, errors, current, new_id):
    if not _is_object(value, key, errors):
        return None
    _keys(value, ("sms_disabled", "email_disabled"), key, errors)
    merged = {**(current.get(key) or {}), **value}
    return {k: _bool(merged.get(k), f"{key}.{k}", errors) for k in ("sms_disabled", "email_disabled")}


def _document(item, key, errors, new_id):
    _keys(item, ("id", "name", "description", "expires_on", "inactive_if_invalid", "comments"), key, errors)
    return {"id": _item_id(item, key, errors, new_id),
            "name": v.text(item.get("name"), f"{key}.name", errors, TEXT_MAX, required=True),
            "description": v.text(item.get("description"), f"{key}.description", errors, LONG_MAX, required=False),
            "expires_on": _date(item.get("expires_on"), f"{key}.expires_on", errors),
            "inactive_if_invalid": _bool(item.get("inactive_if_invalid"), f"{key}.inactive_if_invalid", errors),
            "comments": v.text(item.get("comments"), f"{key}.comments", errors, LONG_MAX, required=False)}


def _financial(value, key, errors, current, new_id):
    if not _is_object(value, key, errors):
        return None
    _keys(value, FINANCIAL_KEYS, key, errors)
    merged = {**empty_financial(), **(current.get(key) or {}), **value}
    out: dict = {"legal_name": v.text(merged["legal_name"], f"{key}.legal_name", errors, TEXT_MAX, required=False),
           "supplier_number": v.text(merged["supplier_number"], f"{key}.supplier_number", errors, 40,
                                     required=False)}
    for tax, pattern in (("gst", GST_RE), ("qst", QST_RE)):
        registered = _bool(merged[f"{tax}_registered"], f"{key}.{tax}_registered", errors)
        number = v.text(merged[f"{tax}_number"], f"{key}.{tax}_number", errors, 40, required=False)
        if number is not None:
            compact = number.upper().replace(" ", "")
            if not pattern.fullmatch(compact):
                errors.add(f"{key}.{tax}_number", "field.invalid_format")
            number = compact
        elif registered:
            errors.add(f"{key}.{tax}_number", "field.required")
        start = _date(merged[f"{tax}_from"], f"{key}.{tax}_from", errors, required=registered)
        end = _date(merged[f"{tax}_to"], f"{key}.{tax}_to", errors)
        if start and end and end < start:
            errors.add(f"{key}.{tax}_to", "field.date_order")
        out.update({f"{tax}_registered": registered, f"{tax}_number": number, f"{tax}_from": start,
                    f"{tax}_to": end})
    return out


def _inactivity(item, key, errors, new_id):
    _keys(item, ("id", "start", "end", "reason"), key, errors)
    start = _datetime_utc(item.get("start"), f"{key}.start", errors)
    end = _datetime_utc(item.get("end"), f"{key}.end", errors)
    if start and end and end <= start:
        errors.add(f"{key}.end", "field.date_order")
    return {"id": _item_id(item, key, errors, new_id), "start": start, "end": end,
            "reason": v.text(item.get("reason"), f"{key}.reason", errors, LONG_MAX, required=False)}


def _block(item, key, errors, new_id):
    _keys(item, ("establishment", "reason"), key, errors)
    return {"establishment": F.establishment(item.get("establishment"), f"{key}.establishment", errors),
            "reason": v.text(item.get("reason"), f"{key}.reason", errors, LONG_MAX, required=False)}


def _cost_center(item, key, errors, new_id):
    _keys(item, ("code", "description"), key, errors)
    return {"code": v.text(item.get("code"), f"{key}.code", errors, 40, required=True),
            "description": v.text(item.get("description"), f"{key}.description", errors, TEXT_MAX,
                                  required=False)}


def _establishment(value, key, errors, current, new_id):
    return F.establishment(value, key, errors)


_CHECKS = {
    "first_name": _required_text, "last_name": _required_text, "email": _email, "mobile": _mobile,
    "phone": _phone, "display_language": _display_language, "gender": _gender,
    "list_view": _choice(page_views.CHOICES),
    "region": _choice(REGIONS), "address": _text(300), "postal_code": _postal_text,
    "country": _text(100), "work_region_postal_code": _work_postal, "home_coordinates": _home_coordinates,
    "request_types": _request_types, "language_pairs": _objects(_language_pair), "contexts": _strings,
    "notifications": _notifications, "availability": _availability,
    "eligibility_documents": _objects(_document), "financial": _financial,
    "inactivity_periods": _objects(_inactivity), "establishment_blocks": _objects(_block),
    "establishment": _establishment, "facility": _text(TEXT_MAX), "cost_centers": _objects(_cost_center),
}


def check_file(filename, content_type, content: bytes, description, name=None) -> dict:
    """An uploaded file's metadata, checked: PDF, JPEG or PNG by content, 10 MB at most. `name` is
    what the person calls it (the deck's "Nom": "Spécimen de chèque"), beside the file's own name."""
    errors = v.Errors()
    filename_only = v.text(filename, "filename", errors, TEXT_MAX, required=True)
    if filename_only:
        filename_only = re.split(r"[\\/]", filename_only)[-1] or None   # a browser's C:\fakepath\
    if content_type not in FILE_TYPES:
        errors.add("content_type", "file.type_not_allowed")
    elif not files.matches(content_type, content):
        errors.add("content_base64", "file.type_mismatch")
    if not content:
        errors.add("content_base64", "field.required")
    if len(content) > FILE_MAX_BYTES:
        errors.add("content_base64", "file.too_large")
    text = v.text(description, "description", errors, LONG_MAX, required=False)
    title = v.text(name, "name", errors, TEXT_MAX, required=False)
    errors.raise_if_any()
    return {"filename": filename_only, "name": title, "content_type": content_type, "size": len(content),
            "description": text}


FILE_TYPES = files.PROFILE_FILE_TYPES
FILE_MAX_BYTES = files.UPLOAD_MAX_BYTES
MAX_FILES = 50


"""Bookings as pages: the list with status filter and date presets, the calendar (month, week), the
detail with every command a role may run, the service report (both forms), attachments, the
remuneration, and the requester's form (create, modify, cancel)."""
from __future__ import annotations

import base64
import io
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import communications
from gateway.web.pick_lists import pick_lists
from gateway.web.reference_labels import ref_label
from gateway.web.request_defaults import from_profile
from gateway.web import (page_lang, current_actor, error_code, field_errors, login_required, message_of, mode_label,
                         parse_utc, rpc, url_error, web)
from ims_common import files
from ims_common.errors import IMSError
from services.booking.contract.vocabulary import MODES

MONTREAL = ZoneInfo("America/Montreal")
STAFF = ("coordinator", "admin")
FIELDS = ("source_language", "target_language", "mode", "context", "context_details", "establishment",
          "facility", "address", "appointment_location", "cost_center", "cost_center_description", "date",
          "start_time", "duration_minutes", "due_date", "video_platform", "video_link", "video_secret",
          "requester_name", "requester_phone", "requester_email", "note_to_interpreter",
          "message_to_interpreter", "comments")
ATTACHMENT_TYPES = files.ATTACHMENT_TYPES


def today() -> date:
    return datetime.now(MONTREAL).date()


def local_to_utc(value: str) -> str:
    """'YYYY-MM-DDTHH:MM' in Montreal time -> ISO with offset (what the services take)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MONTREAL)
    return moment.isoformat()


def presets() -> list[tuple[str, date, date]]:
    t = today()
    week = t - timedelta(days=t.weekday())
    month = t.replace(day=1)
    prev_end = month - timedelta(days=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return [(_("Aujourd'hui"), t, t), (_("Demain"), t + timedelta(days=1), t + timedelta(days=1)),
            (_("Cette semaine"), week, week + timedelta(days=6)),
            (_("Semaine prochaine"), week + timedelta(days=7), week + timedelta(days=13)),
            (_("Ce mois-ci"), month, next_month - timedelta(days=1)),
            (_("Mois précédent"), prev_end.replace(day=1), prev_end),
            (_("30 prochains jours"), t, t + timedelta(days=30))]


def _valid_day(value: str | None) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def fetch_all(actor: dict, query: dict, limit: int = 2000) -> list[dict]:
    items, page = [], 1
    while len(items) < limit:
        result = rpc("booking", "list_bookings", actor, dict(query, page=page, per_page=200))
        items.extend(result["items"])
        if page * 200 >= result["total"]:
            break
        page += 1
    return items


@web.route("/calendrier")
@login_required()
def calendar_view():
    actor = current_actor()
    view = "week" if request.args.get("vue") == "semaine" else "month"
    anchor = date.fromisoformat(_valid_day(request.args.get("jour")) or today().isoformat())
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
        prev_day, next_day = first - timedelta(days=7), first + timedelta(days=7)
    else:
        first_of_month = anchor.replace(day=1)
        first = first_of_month - timedelta(days=first_of_month.weekday())
        last_of_month = (first_of_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        last = last_of_month + timedelta(days=6 - last_of_month.weekday())
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        prev_day = (first_of_month - timedelta(days=1)).replace(day=1)
        next_day = last_of_month + timedelta(days=1)
    items = fetch_all(actor, {"date_from": days[0].isoformat(), "date_to": days[-1].isoformat()})
    by_day: dict[str, list] = {}
    for item in items:
        by_day.setdefault(item.get("date") or (item.get("due_date") or ""), []).append(item)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    from gateway.contract import views as page_views
    from gateway.web.views_account import weekday_names
    from gateway.web.views_list import establishment_names, facility_names, stored_view
    return render_template("web/calendar.html", view=view, weeks=weeks, by_day=by_day, anchor=anchor,
                           names=establishment_names(actor, items), facilities=facility_names(actor, items),
                           prev_day=prev_day, next_day=next_day, today=today(), weekdays=weekday_names(),
                           month_name=f"{month_names()[anchor.month - 1]} {anchor.year}",
                           is_default=stored_view(actor) == page_views.CALENDAR)


def month_names() -> list[str]:
    return [_("janvier"), _("février"), _("mars"), _("avril"), _("mai"), _("juin"), _("juillet"), _("août"),
            _("septembre"), _("octobre"), _("novembre"), _("décembre")]


def _booking(booking_id: str) -> dict:
    return rpc("booking", "get_booking", current_actor(), booking_id)


def _remuneration(booking: dict):
    actor = current_actor()
    if (actor["role"] not in ("interpreter", *STAFF)
            or booking["status"] not in ("service_provided", "closed", "cancelled")):
        return None
    try:
        return rpc("payroll", "get_remuneration", actor, booking["id"])
    except (IMSError, ServiceError):
        return None


def report_open(booking: dict, actor: dict) -> bool:
    if actor["role"] != "interpreter" or booking.get("assigned_interpreter_id") != actor["user_id"] \
            and booking["status"] != "cancelled":
        return False
    if booking.get("report"):
        return False
    if booking["status"] == "cancelled":
        return True
    start = parse_utc(booking.get("start_at"))
    return booking["status"] in ("booked", "modified") and (start is None or datetime.now(timezone.utc) >= start)


def assigned_contact(booking: dict) -> dict | None:
    """Who was assigned and how to reach them: the booking service answers from its copy of the
    profiles, after checking the viewer may see the booking (requesters and staff only)."""
    if not booking.get("assigned_interpreter_id") or current_actor()["role"] not in ("requester", *STAFF):
        return None
    try:
        return rpc("booking", "assigned_contact", current_actor(), booking["id"])
    except (IMSError, ServiceError):
        uid = booking["assigned_interpreter_id"]
        return {"user_id": uid, "name": uid, "mobile": None, "phone": None, "email": None}


@web.route("/reservations/<booking_id:booking_id>")
@login_required()
def booking_detail(booking_id: str):
    return detail_page(_booking(booking_id), url_error())


def detail_page(booking: dict, error: str | None = None, status: int = 200, typed: dict | None = None,
                correct: bool = False):
    """The booking's page; a refused offer or assignment comes back here with the whole message (the
    reasons matching gives, which an address cannot carry) and what was typed. `correct`: open on the
    report's correction (as ?corriger=1 does)."""
    actor = current_actor()
    from gateway.web.views_validation import interpreter_names      # (it imports this module)
    from gateway.web.candidates import offer_choices, override_text, place_names
    names = interpreter_names(actor) if actor["role"] in STAFF else {}
    correcting = (correct or request.args.get("corriger") == "1") and booking.get("report") and (
        booking["status"] == "service_provided" or booking.get("report_returned") or actor["role"] in STAFF)
    return render_template("web/booking.html", b=booking, rem=_remuneration(booking),
                           report_open=report_open(booking, actor), correcting=correcting,
                           form=report_as_form(booking["report"]) if correcting else None,
                           start_passed=(parse_utc(booking.get("start_at"))
                                         or datetime.max.replace(tzinfo=timezone.utc)) <= datetime.now(timezone.utc),
                           choices=offer_choices(actor, booking), typed=typed or {}, names=names,
                           error=error, assigned=assigned_contact(booking),
                           override=override_text(booking, names) if actor["role"] in STAFF else None,
                           places=place_names(actor, booking)), status


def _int(name: str) -> int:
    try:
        return int(request.form.get(name) or 0)
    except ValueError:
        return -1


def _cents(name: str) -> int:
    raw = (request.form.get(name) or "0").replace(",", ".").replace("$", "").strip()
    if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", raw):
        return -1
    whole, _dot, frac = raw.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def report_as_form(report: dict) -> dict:
    """A saved report as the form's values, for its correction."""
    from gateway.web import local_dt
    form = {k: report.get(k) for k in ("overtime_reason", "reason", "detailed_reason", "wait_minutes",
                                       "distance_km", "travel_minutes", "words", "comments")
            if report.get(k) is not None}
    form["provided"] = "yes" if report.get("provided") else "no"
    for key in ("actual_start", "actual_end", "cancelled_at"):
        if report.get(key):
            form[key] = local_dt(report[key], "%Y-%m-%dT%H:%M")
    cents = report.get("other_fees_cents") or 0
    form["other_fees"] = f"{cents // 100}.{cents % 100:02d}"
    # A correction replaces the whole report: what was reported is shown again, not lost.
    form["additional_service"] = bool(report.get("additional_service"))
    form["communications"] = [{"at": local_dt(c.get("at"), "%Y-%m-%dT%H:%M"), "purpose": c.get("purpose") or "",
                               "requested_by": c.get("requested_by") or ""} for c in report.get("communications") or ()]
    return form


def form_as_typed() -> dict:
    """The report form's values as typed, to show them again (a refusal, one more line)."""
    typed = {k: v for k, v in request.form.items() if not k.startswith("comm_") and k != "csrf_token"}
    typed["additional_service"] = request.form.get("additional_service") == "on"
    typed["communications"] = communications.lines_typed()
    return typed


def actual_minutes(start: str | None, end: str | None) -> int | None:
    """The actual duration of 'YYYY-MM-DDTHH:MM' local times (the deck's "Durée réelle")."""
    try:
        minutes = int((datetime.fromisoformat(end or "") - datetime.fromisoformat(start or "")).total_seconds() // 60)
    except ValueError:
        return None
    return minutes if minutes >= 0 else None


def report_from_form() -> dict:
    common = {"wait_minutes": _int("wait_minutes"),
              "distance_km": (request.form.get("distance_km") or "0").replace(",", "."),
              "travel_minutes": _int("travel_minutes"),
              "communications": communications.payload(communications.lines_typed()),
              "words": _int("words"), "other_fees_cents": _cents("other_fees"),
              "comments": request.form.get("comments", "").strip()}
    if request.form.get("provided") == "yes":
        report = {"provided": True, "actual_start": local_to_utc(request.form.get("actual_start", "")),
                  "actual_end": local_to_utc(request.form.get("actual_end", "")),
                  "additional_service": request.form.get("additional_service") == "on", **common}
        if request.form.get("overtime_reason", "").strip():
            report["overtime_reason"] = request.form["overtime_reason"].strip()
        return report
    return {"provided": False, "reason": request.form.get("reason", "").strip(),
            "detailed_reason": request.form.get("detailed_reason", "").strip(),
            "cancelled_at": local_to_utc(request.form.get("cancelled_at", "")), **common}


@web.get("/reservations/<booking_id:booking_id>/rapport")
@login_required("interpreter", *STAFF)
def report_form(booking_id: str):
    """The booking's report form, where a message about a sent-back report leads: the booking's page
    open on its correction, with the bank's comment (a page of its own, not a redirect: every link
    in a message answers 200)."""
    return detail_page(_booking(booking_id), url_error(), correct=True)


@web.post("/reservations/<booking_id:booking_id>/rapport")
@login_required("interpreter", *STAFF)
def report(booking_id: str):
    actor = current_actor()
    booking = _booking(booking_id)
    command = "correct-report" if booking.get("report") else "report"
    typed = form_as_typed()
    if "ajouter_ligne" in request.form:        # one more communication line, everything typed kept
        typed["communications"] = communications.with_one_more(typed["communications"])
        return render_template("web/booking.html", b=booking, rem=None, report_open=command == "report",
                               correcting=command == "correct-report", start_passed=True, late_cancel=False,
                               choices=[], form=typed, line_errors={})
    try:
        rpc("booking", "execute", actor, booking_id, command, report_from_form())
    except IMSError as exc:
        if exc.http_status == 404:
            raise
        errors = field_errors(exc)
        return render_template("web/booking.html", b=booking, rem=None, report_open=command == "report",
                               correcting=command == "correct-report", start_passed=True,
                               late_cancel=False, choices=[], error=message_of(exc), errors=errors, form=typed,
                               line_errors=communications.line_errors(errors, typed["communications"])), 400
    return redirect(url_for("web.booking_detail", booking_id=booking_id))


@web.post("/reservations/<booking_id:booking_id>/pieces-jointes")
@login_required("interpreter", *STAFF)
def booking_attachment(booking_id: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return redirect(url_for("web.booking_detail", booking_id=booking_id, erreur="file.required"))
    content = upload.read()
    payload = {"filename": upload.filename[:200], "content_type": upload.mimetype or "application/octet-stream",
               "content_base64": base64.b64encode(content).decode("ascii")}
    if request.form.get("description", "").strip():
        payload["description"] = request.form["description"].strip()
    try:
        rpc("booking", "execute", current_actor(), booking_id, "attachments", payload)
    except IMSError as exc:
        if exc.http_status == 404:
            raise
        return redirect(url_for("web.booking_detail", booking_id=booking_id, erreur=error_code(exc)))
    return redirect(url_for("web.booking_detail", booking_id=booking_id))


@web.route("/reservations/<booking_id:booking_id>/pieces-jointes/<attachment_id:attachment_id>")
@login_required()
def attachment_file(booking_id: str, attachment_id: str):
    result = rpc("booking", "get_attachment", current_actor(), booking_id, attachment_id)
    meta = result.get("meta") or {}
    mimetype = meta.get("content_type") if meta.get("content_type") in ATTACHMENT_TYPES else "application/octet-stream"
    name = re.sub(r'[\x00-\x1f\x7f/\\"]', "_", str(meta.get("filename") or attachment_id))[:200]
    return send_file(io.BytesIO(base64.b64decode(result["content_base64"])), mimetype=mimetype,
                     as_attachment=True, download_name=name, max_age=0)


# ---- requester: create, modify ---------------------------------------------------------------------

def form_fields() -> dict:
    fields = {}
    for key in FIELDS:
        value = request.form.get(key, "").strip()
        if value:
            fields[key] = value
    if "duration_minutes" in fields:
        try:
            fields["duration_minutes"] = int(fields["duration_minutes"])
        except ValueError:
            pass
    return fields


@web.route("/demandes/nouvelle", methods=["GET", "POST"])
@login_required("requester", *STAFF)
def new_booking():
    actor = current_actor()
    errors, error, values = {}, None, {}
    if request.method == "GET":
        values = from_profile(actor)
    else:
        values = form_fields()
        try:
            booking = rpc("booking", "create_booking", actor, values)
            return redirect(url_for("web.booking_detail", booking_id=booking["id"], envoye=1))
        except IMSError as exc:
            error, errors = message_of(exc), field_errors(exc)
    return render_template("web/booking_form.html", values=values, errors=errors, error=error,
                           mode_options=[(m, mode_label(m)) for m in MODES],
                           lists=pick_lists(actor, actor.get("establishment") or values.get("establishment")),
                           editing=None), (400 if error else 200)


@web.route("/reservations/<booking_id:booking_id>/modifier", methods=["GET", "POST"])
@login_required("requester", *STAFF)
def modify_booking(booking_id: str):
    booking = _booking(booking_id)
    # Shown (and compared with what comes back) as the page names them: an English page shows and
    # sends "Spanish" for the kept "Espagnol", which is no change.
    errors, error, values = {}, None, {k: _shown(k, booking.get(k)) for k in FIELDS if booking.get(k) not in (None, "")}
    if request.method == "POST":
        submitted = form_fields()
        changes = {k: v for k, v in submitted.items() if values.get(k) != v}
        try:
            if changes:
                rpc("booking", "execute", current_actor(), booking_id, "modify", changes)
            return redirect(url_for("web.booking_detail", booking_id=booking_id))
        except IMSError as exc:
            if exc.http_status == 404:
                raise
            error, errors, values = message_of(exc), field_errors(exc), dict(values, **submitted)
    return render_template("web/booking_form.html", values=values, errors=errors, error=error,
                           mode_options=[(m, mode_label(m)) for m in MODES],
                           lists=pick_lists(current_actor(), booking.get("establishment")),
                           editing=booking), (400 if error else 200)


def _shown(field: str, value):
    if field in ("source_language", "target_language"):
        return ref_label("language", value)
    return ref_label("context", value) if field == "context" else value


def report_reasons(category: str) -> list[dict]:
    """The deck's list for a report field (reference data's report reasons of `category`): each as
    {value (the French name, what the report keeps), label (in the page's language), general}."""
    from flask import g

    from services.reference.contract import vocabulary as RV
    cache = g.setdefault("report_reasons", {})
    if category not in cache:
        try:
            items = rpc("reference", "list_items", current_actor(), RV.REPORT_REASON,
                        {"category": category, "per_page": 1000})["items"]
        except (IMSError, ServiceError):
            items = []
        cache[category] = [{"value": i.get("label_fr") or i["code"], "label": RV.label(i, page_lang()),
                            "general": i.get("general"), "code": i["code"]} for i in items]
    return cache[category]


def reason_options(category: str, current: str | None) -> list[tuple[str, str]] | None:
    """A select's (value, label) pairs for a report field; a value typed before the list existed is
    kept as one more choice; None (a text field) when reference data gives no list."""
    reasons = report_reasons(category)
    if not reasons:
        return None
    options = [(r["value"], r["label"]) for r in reasons]
    if current and current not in {value for value, _label in options}:
        options.append((current, current))
    return options


@web.app_context_processor
def _report_helpers():
    return {"report_reasons": report_reasons, "reason_options": reason_options, "actual_minutes": actual_minutes}

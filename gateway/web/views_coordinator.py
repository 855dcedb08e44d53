"""Coordinators' dashboard: queues, interpreters, pay periods, and indicators drawn as server-side SVG."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import (current_actor, error_code, field_errors, login_required, message_of, page_lang, rpc,
                         status_label, url_error, web)
from gateway.web.views_account import send_profile_file
from gateway.web.views_bookings import STAFF, fetch_all, parse_utc, today
from ims_common.csv_cells import csv_text
from ims_common.errors import IMSError


def _try(service: str, method: str, *args, default=None):
    try:
        return rpc(service, method, *args)
    except (IMSError, ServiceError):
        return default


@web.route("/tableau-de-bord")
@login_required(*STAFF)
def dashboard():
    actor = current_actor()
    # Booking's one definition of "to assign" (pending, start still to come), ranked by matching
    # (urgency, flagged unfilled first, open offers); its list queue holds the same bookings. Those
    # whose start has passed unfilled are "missed", shown apart: the bank closes them out.
    ranked = _try("booking", "to_assign", actor, {"per_page": 200}, default=None)
    to_assign = ranked["items"] if ranked else rpc(
        "booking", "list_bookings", actor, {"queue": "to_assign", "per_page": 200})["items"]
    missed = rpc("booking", "list_bookings", actor, {"queue": "missed", "per_page": 50, "order": "desc"})
    to_validate = rpc("booking", "list_bookings", actor, {"queue": "to_validate", "per_page": 100})["items"]
    unanswered = [b for b in to_assign if b.get("open_offers")]
    failed = _try("notification", "deliveries", {"status": "failed"}, default=None)
    from gateway.web.views_validation import interpreter_names
    from gateway.web.views_list import establishment_names
    return render_template("web/dashboard.html", to_assign=to_assign, to_validate=to_validate,
                           establishments=establishment_names(actor, to_assign + missed["items"]),
                           to_assign_total=(ranked or {}).get("total", len(to_assign)), missed=missed,
                           unanswered=unanswered, failed=failed, names=interpreter_names(actor))


@web.app_context_processor
def _notice_helpers():
    from services.notification.contract.vocabulary import channel_label, kind_label
    return {"notice_kind": lambda kind: kind_label(kind, page_lang()),
            "notice_channel": lambda channel: channel_label(channel, page_lang())}


@web.route("/interpretes")
@login_required(*STAFF)
def interpreters():
    """Interpreters with their languages, region, documents expiring and availability (auth's
    profiles); falls back to the accounts list when profiles are not offered."""
    from gateway.web import interpreter_filters as filters
    actor = current_actor()
    roster = _try("auth", "list_profiles", actor, {"role": "interpreter", "per_page": 200}, default=None)
    regions = sorted({r["region"] for r in (roster or {}).get("items") or () if r.get("region")})
    f = filters.from_args(regions)
    query = filters.auth_query(f)
    profiles = _try("auth", "list_profiles", actor, query, default=None) if roster is not None else None
    locked = locked_accounts(actor)
    if profiles is None:
        accounts = rpc("auth", "list_accounts", actor,
                       {k: v for k, v in query.items() if k in ("role", "per_page", "q")})
        rows, limited = accounts["items"], True
    else:
        # Locks (failed sign-ins) live on the accounts, which auth decorates for coordinators only.
        lock = {a["user_id"]: a for a in locked}
        rows = [dict(r, locked=bool(lock.get(r.get("user_id"))),
                     locked_at=lock.get(r.get("user_id"), {}).get("locked_at"))
                for r in profiles["items"]]
        rows = [r for r in rows if filters.keep(r, f)]
        limited = False
    return render_template("web/interpreters.html", rows=rows, limited=limited, f=f, q=f["q"],
                           language=f["language"], expiring=f["expiring"], regions=regions, modes=filters.MODES,
                           soon=(today() + timedelta(days=30)).isoformat(),
                           locked=locked, done=_created_name(actor, "fait"), error=url_error(),
                           created_name=_created_name(actor))


def _created_name(actor: dict, arg: str = "cree") -> str | None:
    """The name of the person just created (?cree=<user_id>) or unlocked (?fait=<user_id>), read from
    auth, never from the address."""
    uid = request.args.get(arg, "")[:40]
    account = _try("auth", "get_account", actor, uid, default=None) if uid else None
    if not account:
        return None
    return f"{account.get('first_name') or ''} {account.get('last_name') or ''}".strip() or None


def locked_accounts(actor: dict) -> list[dict]:
    """Every locked account, whatever its role (a requester may be locked out too)."""
    out, page = [], 1
    while page <= 20:
        result = _try("auth", "list_accounts", actor, {"page": page, "per_page": 200}, default=None)
        if not result:
            break
        out.extend(a for a in result["items"] if a.get("locked"))
        if page * 200 >= (result.get("total") or 0):
            break
        page += 1
    return out


@web.route("/interpretes/<user_id:user_id>/fichiers/<attachment_id:file_id>")
@login_required(*STAFF)
def interpreter_file(user_id: str, file_id: str):
    """An interpreter's eligibility document file, for the coordinators checking it."""
    return send_profile_file(current_actor(), user_id, file_id)


@web.post("/comptes/<user_id:user_id>/deverrouiller")
@login_required(*STAFF)
def unlock_account(user_id: str):
    """Lift the lock an account got after failed sign-ins (auth's manage_account "unlock")."""
    try:
        account = rpc("auth", "manage_account", current_actor(), user_id, "unlock")
    except IMSError as exc:
        if exc.http_status == 404:
            raise
        return redirect(url_for("web.interpreters", erreur=error_code(exc)))
    except ServiceError as exc:
        return redirect(url_for("web.interpreters", erreur=error_code(exc)))
    return redirect(url_for("web.interpreters", fait=(account or {}).get("user_id") or user_id))


@web.route("/paie")
@login_required(*STAFF)
def pay():
    actor = current_actor()
    return _pay_page(actor)


def _pay_page(actor: dict, policy_form: dict | None = None, policy_errors: dict | None = None,
              policy_error: str | None = None):
    policies = _try("payroll", "list_policies", actor, default=None)
    latest = policies[-1] if policies else {}
    if policy_form is None:   # the form starts from the latest version (a new version changes some fields)
        policy_form = {k: latest.get(k) for k in POLICY_FIELDS if latest.get(k) is not None}
        policy_form.update(version="", name="", effective_from="")
        if page_lang() == "fr":   # 41,00 as French readers write it (the page reads both)
            policy_form.update({k: str(v).replace(".", ",") for k, v in policy_form.items() if k in POLICY_DECIMALS})
    return render_template("web/pay.html", periods=_try("payroll", "list_periods", actor, default=None),
                           policies=policies, error=url_error(), policy_form=policy_form,
                           policy_errors=policy_errors or {}, policy_error=policy_error,
                           policy_added=request.args.get("politique"),
                           min_effective=_min_effective(latest).isoformat()), (400 if policy_error else 200)


# The fields of a new pay-policy version the page offers (the others are kept from the latest one).
POLICY_DECIMALS = ("hourly_rate", "after_hours_hourly_rate", "travel_hourly_rate", "mileage_rate_per_km",
                   "mileage_threshold_km", "word_rate")
POLICY_BOOLS = ("travel_time_paid", "wait_time_paid", "mileage_round_trip")
POLICY_FIELDS = ("version", "name", "effective_from") + POLICY_DECIMALS + POLICY_BOOLS
POLICY_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
POLICY_DECIMAL = re.compile(r"\d{1,7}([.,]\d{1,6})?")


def _min_effective(latest: dict) -> date:
    """A new version takes effect after today and after the latest version (payroll's rule)."""
    floor = today()
    try:
        floor = max(floor, date.fromisoformat(latest.get("effective_from") or ""))
    except ValueError:
        pass
    return floor + timedelta(days=1)


def _policy_from_form(latest: dict) -> tuple[dict, dict, dict]:
    """(the fields to send, the form's values as typed, errors per field in the page's language)."""
    form = {k: request.form.get(k, "").strip()[:200] for k in ("version", "name", "effective_from") + POLICY_DECIMALS}
    for k in POLICY_BOOLS:
        form[k] = request.form.get(k) == "on"
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    if not form["version"]:
        errors["version"] = [_("Ce champ est obligatoire.")]
    elif not POLICY_VERSION.fullmatch(form["version"]):
        errors["version"] = [_("Lettres, chiffres, point, tiret ou souligné seulement (64 au plus).")]
    else:     # an existing version is refused by the caller, which has every version
        fields["version"] = form["version"]
    if form["name"]:
        fields["name"] = form["name"]
    try:
        effective = date.fromisoformat(form["effective_from"])
    except ValueError:
        errors["effective_from"] = [_("Donnez une date (AAAA-MM-JJ).") if not form["effective_from"]
                                    else _("Date invalide (AAAA-MM-JJ).")]
    else:
        minimum = _min_effective(latest)
        if effective < minimum:
            errors["effective_from"] = [_("La date d'entrée en vigueur doit être le %(day)s ou après : une "
                                          "politique ne change jamais ce qui a déjà été payé.",
                                          day=minimum.isoformat())]
        else:
            fields["effective_from"] = effective.isoformat()
    for k in POLICY_DECIMALS:
        raw = form[k].replace(" ", "").replace("$", "")
        if not raw:
            continue
        if not POLICY_DECIMAL.fullmatch(raw):
            errors[k] = [_("Montant invalide : un nombre positif, par exemple 41,00.")]
        else:
            fields[k] = raw.replace(",", ".")
    for k in POLICY_BOOLS:
        fields[k] = form[k]
    return fields, form, errors


@web.post("/paie/politiques")
@login_required("admin")
def pay_policy_add():
    """Admins add a pay-policy version with an effective date; errors are shown on the form in the
    page's language (the page checks first; payroll's own refusal is shown translated)."""
    actor = current_actor()
    policies = _try("payroll", "list_policies", actor, default=None) or []
    latest = policies[-1] if policies else {}
    fields, form, errors = _policy_from_form(latest)
    if any(p.get("version") == form["version"] for p in policies):
        errors["version"] = [_("Cette version existe déjà.")]
    if errors:
        return _pay_page(actor, form, errors, _("Vérifiez les champs indiqués."))
    try:
        added = rpc("payroll", "add_policy", actor, fields)
    except (IMSError, ServiceError) as exc:
        if isinstance(exc, ServiceError):
            message = message_of(exc)
        elif getattr(exc, "code", "") == "payroll.invalid_policy":
            message = _("La politique est refusée : vérifiez la date d'entrée en vigueur et les montants.")
        else:
            message = message_of(exc)
        return _pay_page(actor, form, field_errors(exc) if isinstance(exc, IMSError) else {}, message)
    return redirect(url_for("web.pay", politique=(added or {}).get("version") or fields["version"]))


@web.route("/paie/<period_id>.csv")
@login_required(*STAFF)
def pay_export(period_id: str):
    result = rpc("payroll", "export_csv", current_actor(), period_id[:40])
    text = result if isinstance(result, str) else (result or {}).get("csv", "")
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="paie-{period_id[:40]}.csv"'})


BILLING_COLUMNS = ("establishment", "cost_center", "cost_center_description", "bookings", "demande", "distance",
                   "travel_time", "phone_communications", "words", "other_fees", "extra_fees", "subtotal", "gst",
                   "qst", "total")


@web.route("/paie/<period_id>/facturation.csv")
@login_required(*STAFF)
def billing_export(period_id: str):
    """The period's billing per establishment and cost center (payroll's billing report), as CSV."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", period_id):
        abort(404)
    report = rpc("payroll", "billing", current_actor(), period_id)
    items = report.get("items") or []
    totals = report.get("totals") or {}
    rows = [[item.get(k) for k in BILLING_COLUMNS] for item in items]
    rows.append(["TOTAL", "", "", sum(int(i.get("bookings") or 0) for i in items)]
                + [totals.get(k) for k in BILLING_COLUMNS[4:]])
    return Response(csv_text(BILLING_COLUMNS, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="facturation-{period_id}.csv"'})


def bars(counter: Counter, limit: int = 12) -> list[dict]:
    rows = counter.most_common(limit)
    top = max((n for _k, n in rows), default=1) or 1
    return [{"label": k or "—", "value": n, "width": round(300 * n / top)} for k, n in rows]


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of values; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))   # ceil, at least the first
    return ordered[int(rank) - 1]


def hours_label(hours: float | None) -> str:
    """2.5 -> '2 h 30' ; 0.25 -> '15 min' ; 50 -> '2 j 2 h' (days in French and English alike: 'j'/'d')."""
    if hours is None:
        return "—"
    minutes = int(round(hours * 60))
    if minutes < 60:
        return f"{minutes} min"
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if days:
        return (_("%(d)s j %(h)s h", d=days, h=h))
    return f"{h} h {m:02d}" if m else f"{h} h"


def time_to_assign(items: list[dict]) -> dict:
    """Time from a request's creation to its acceptance (or assignment), in hours: median and 90th
    percentile overall and per month of creation (the periods), for the chart."""
    by_month: dict[str, list[float]] = {}
    every: list[float] = []
    for b in items:
        created, assigned = parse_utc(b.get("created_at")), parse_utc(b.get("assigned_at"))
        if not (created and assigned):
            continue
        hours = max(0.0, (assigned - created).total_seconds() / 3600)
        every.append(hours)
        by_month.setdefault(local_month(created), []).append(hours)
    rows = []
    top = max((percentile(v, 0.9) or 0 for v in by_month.values()), default=0) or 1
    for month in sorted(by_month):
        values = by_month[month]
        median, p90 = percentile(values, 0.5), percentile(values, 0.9)
        rows.append({"label": month, "count": len(values), "median": median, "p90": p90,
                     "median_label": hours_label(median), "p90_label": hours_label(p90),
                     "median_width": max(1, round(280 * median / top)), "p90_width": max(1, round(280 * p90 / top))})
    return {"count": len(every), "median": hours_label(percentile(every, 0.5)),
            "p90": hours_label(percentile(every, 0.9)), "rows": rows}


def local_month(moment) -> str:
    from zoneinfo import ZoneInfo
    return moment.astimezone(ZoneInfo("America/Montreal")).strftime("%Y-%m")


@web.route("/indicateurs")
@login_required(*STAFF)
def indicators():
    actor = current_actor()
    start = today() - timedelta(days=90)
    items = fetch_all(actor, {"date_from": start.isoformat(), "date_to": (today() + timedelta(days=90)).isoformat()})
    live = [b for b in items if b.get("status") != "cancelled"]
    filled = [b for b in live if b.get("status") != "pending"]
    fill_rate = round(100 * len(filled) / len(live)) if live else 0
    from gateway.web.views_list import establishment_names
    names = establishment_names(actor, items)
    by_month = Counter()
    for b in items:
        if b.get("date"):
            by_month[b["date"][:7]] += 1
    return render_template("web/indicators.html", total=len(items), fill_rate=fill_rate,
                           assign=time_to_assign(items),
                           by_language=bars(Counter(b.get("target_language") for b in items)),
                           by_establishment=bars(Counter(names.get(b.get("establishment"), b.get("establishment"))
                                                         for b in items)),
                           by_status=bars(Counter(status_label(b.get("status")) for b in items)),
                           by_month=bars(by_month))

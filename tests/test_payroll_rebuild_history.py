"""Issue 16, "Done when": a payroll rebuild from zero gives the same remunerations, to the cent, as
the live projection, over a generated history of 10,000 bookings.

The history is bench/generate.py's, lived through booking's own domain (offers, withdrawals after
billable communications, cancellations reported late, reports, corrections, validation), starting
before policy BI-2024-11-04 and the DST night. Payroll reads it as the running service does, one
event at a time through its projector, its clock at each event's time, while the bank takes its
decisions along the way: each pay period is closed three days after it ends (its provisional amounts
carried), tax registrations arrive for some interpreters (repricing what they were paid, closed
periods included), and an admin adds a policy version. Then the rebuild replays everything from zero.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from bench.generate import INTERPRETERS, generate
from ims_common.nameko_ext import Stores
from ims_common.projection import parked_count
from ims_common.times import iso_z, local_today, parse_iso
from services.payroll import bootstrap
from services.payroll.tests.timeline import Source

BOOKINGS = 10_000
DAYS = 50
FIRST = datetime(2024, 10, 20, tzinfo=timezone.utc)
COORD = {"user_id": "UBICB0001", "role": "coordinator"}
ADMIN = {"user_id": "UBIAD0001", "role": "admin"}
TAXES_FROM = date(2024, 11, 20)     # the day tax registrations reach payroll
POLICY_FROM = date(2024, 11, 25)    # the day the admin adds the next version (in force on Dec. 1)


def registration(n: int) -> dict:
    """Every fifth interpreter registered for GST since Nov. 1 (before the day payroll learns it:
    what was already paid is repriced), some for QST from Dec. 1."""
    return {"gst_registered": True, "gst_from": "2024-11-01", "gst_to": None,
            "qst_registered": n % 2 == 0, "qst_from": "2024-12-01", "qst_to": None,
            "supplier_number": f"F{n:05d}", "legal_name": f"Interprète {n}"}


def snapshot(app) -> dict:
    """Everything payroll pays, per remuneration and per entry of each period."""
    docs = app.docs
    return {
        "totals": app.totals(),
        "remunerations": {r["key"]: {k: r[k] for k in ("kind", "amounts", "detail", "period_id", "withdrawal",
                                                      "places")}
                          for r in docs.find("remunerations")},
        "entries": {e["key"]: {k: e[k] for k in ("kind", "amounts", "validated", "period_id")}
                    for e in docs.find("pay_entries")},
        "periods": {p["id"]: p for p in docs.find("pay_periods")},
    }


# About 110 s of CPU (measured: 95 s user + 17 s system, ~95,000 events; 6.5 min of wall time on a
# 2-CPU machine shared by a load of 15); the timeout leaves room for a loaded CI runner.
@pytest.mark.timeout(900)
def test_a_rebuild_from_zero_pays_10000_bookings_as_the_live_projection_did(tmp_path):
    started = time.perf_counter()
    made = generate(tmp_path, bookings=BOOKINGS, days=DAYS, first=FIRST, rebuild=False)
    assert made["bookings"] == BOOKINGS
    booking = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")

    def fetch_booking(position: int, limit: int) -> list[dict]:
        return [e.to_dict() for e in booking.event_store.read_all(position, limit)]

    auth = Source()
    clock = {"now": FIRST}
    # Read models only in this store's documents (as payroll's rebuild assumes): no disk flush each.
    stores = Stores(f"sqlite:///{tmp_path / 'payroll.sqlite3'}", durable_docs=False)
    # Nor for its own events (a RemunerationCalculated per computation, some 15,000): what a power
    # loss would lose is not what this test is about, and an fsync each is minutes on a slow disk.
    stores.event_store._conn.execute("PRAGMA synchronous = OFF")
    app = bootstrap.build(stores, clock=lambda: clock["now"])
    closed: set[str] = set()
    taxes_sent = policy_added = False

    def decide_for_today() -> None:
        nonlocal taxes_sent, policy_added
        today = local_today(clock["now"])
        period = app.calendar.period_of(FIRST.date())
        while app.calendar.end(period) + timedelta(days=3) <= today:
            if period not in closed:
                held = app.get_period(COORD, period)["provisional_items"]
                app.close_period(COORD, period, [i["key"] for i in held])
                closed.add(period)
            period = app.calendar.next(period)
        if not taxes_sent and today >= TAXES_FROM:
            for n, uid in enumerate(INTERPRETERS[::5]):
                env = auth.add(f"account-{uid}", "ProfileUpdated", {
                    "user_id": uid, "role": "interpreter", "financial": registration(n)},
                    at=iso_z(clock["now"]))
                app.on_auth_event(env, auth.events_since)
            taxes_sent = True
        if not policy_added and today >= POLICY_FROM:
            app.add_policy(ADMIN, {"version": "BI-2024-12-01", "effective_from": "2024-12-01",
                                   "hourly_rate": "43.00"})
            policy_added = True

    position, applied = 0, 0
    while page := fetch_booking(position, 1000):
        for envelope in page:
            clock["now"] = max(clock["now"], parse_iso(envelope["occurred_at"]))
            decide_for_today()
            app.on_booking_event(envelope, fetch_booking)      # as the service's event handler
            applied += 1
        position = page[-1]["position"]
    clock["now"] += timedelta(days=30)
    decide_for_today()
    fed = time.perf_counter()
    assert applied == made["events"] and app.projector.checkpoint() == made["events"]
    assert parked_count(app.docs) == 0          # nothing set aside: every event was priced
    live = snapshot(app)

    # The history exercises what a rebuild could get wrong.
    rems = live["remunerations"].values()
    entries = live["entries"].values()
    assert len(rems) > BOOKINGS * 0.9 and sum(r["withdrawal"] for r in rems) > BOOKINGS // 50
    assert {r["detail"]["policy_version"] for r in rems} == {"BI-legacy", "BI-2024-11-04", "BI-2024-12-01"}
    assert sum(1 for e in entries if e["kind"] == "adjustment") > BOOKINGS // 100     # repriced after closing
    assert sum(len(p["carried"]) for p in live["periods"].values()) > BOOKINGS // 100
    assert any(r["amounts"]["gst"] for r in rems) and any(r["amounts"]["qst"] for r in rems)
    assert len(live["periods"]) >= 5 and all(p["status"] == "closed" for p in live["periods"].values())

    rebuilt = app.rebuild(fetch_booking, auth.events_since)
    done = time.perf_counter()
    assert rebuilt == live["totals"]
    after = snapshot(app)
    for part in ("remunerations", "entries", "periods"):
        assert after[part] == live[part], part
    assert parked_count(app.docs) == 0
    print(f"\n{made['events']} events of {BOOKINGS} bookings: generated and fed live in {fed - started:.1f} s, "
          f"rebuilt in {done - fed:.1f} s")
    stores.close()
    booking.close()

"""Matching rules on plain data: each exclusion and its reason, scores, tiers, escalation timing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ims_common.messages import MESSAGES, translate
from services.booking.domain import matching as m

from .matching_fixtures import profile
from .scenario import ALICE, BRUNO, COORD, NOW, START, Booking, offered


def booking(**fields):
    return Booking(fields).state


def busy(uid, start, minutes=60, mode="in_person", bid="HC-24240099", status="booked"):
    end = start + timedelta(minutes=minutes)
    return {"id": bid, "assigned_interpreter_id": uid, "status": status, "mode": mode,
            "start_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "end_at": end.strftime("%Y-%m-%dT%H:%M:%SZ")}


def run(state, *profiles, bookings=(), policy=m.DEFAULT_POLICY, locations=None, now=NOW):
    index = m.InterpreterIndex(profiles, locations)
    return m.match(state, index, m.BusyIndex(bookings), now, policy)


def why(result, uid):
    entry = next((e for e in result.excluded if e["interpreter_id"] == uid), None)
    return [r["code"] for r in entry["reasons"]] if entry else None


def test_a_fitting_interpreter_is_a_candidate_with_score_tier_and_reasons():
    result = run(booking(), profile("UBIPN0001"))
    [candidate] = result.candidates
    assert candidate["interpreter_id"] == "UBIPN0001" and candidate["tier"] == 1
    assert 0 < candidate["score"] <= 100 and result.excluded == []
    assert "matching.ok.language" in [r["code"] for r in candidate["reasons"]]


@pytest.mark.parametrize("changes, fields, code", [
    ({"language_pairs": [{"source": "Français", "target": "Arabe"}]}, {}, "matching.language_pair"),
    ({"request_types": ["phone"]}, {}, "matching.mode_not_accepted"),
    ({"contexts": []}, {"context": "DPJ"}, "matching.context_missing"),
    ({"active": False}, {}, "matching.account_inactive"),
    ({"available_for_offers": False}, {}, "matching.not_available_for_offers"),
    ({"establishment_blocks": [{"establishment": "HC", "reason": "conflit"}]}, {}, "matching.blocked_for_establishment"),
    ({"inactivity_periods": [{"id": "1", "start": "2024-09-01T00:00:00Z", "end": "2024-09-10T00:00:00Z",
                              "reason": "vacances"}]}, {}, "matching.inactivity_period"),
    ({"eligibility_documents": [{"id": "d", "name": "Antécédents judiciaires", "expires_on": "2024-08-01",
                                 "inactive_if_invalid": True}]}, {}, "matching.document_invalid"),
    # valid today but expired by the booking's day
    ({"eligibility_documents": [{"id": "d", "name": "Vaccination", "expires_on": "2024-09-02",
                                 "inactive_if_invalid": True}]}, {}, "matching.document_invalid"),
    # Tuesday slot ends at 10:00 but the booking runs to 11:30
    ({"availability": {"always": False, "slots": [{"weekday": 1, "start": "08:00", "end": "10:00"}]}}, {},
     "matching.unavailable"),
    ({"availability": {"always": False, "slots": [{"weekday": 2, "start": "00:00", "end": "24:00"}]}}, {},
     "matching.unavailable"),
])
def test_each_exclusion_rule_gives_its_reason(changes, fields, code):
    result = run(booking(**fields), profile("UBIPN0001", **changes))
    assert result.candidates == [] and why(result, "UBIPN0001") == [code]
    assert code in MESSAGES and translate(code, "en", result.excluded[0]["reasons"][0]["params"])


def test_a_document_not_required_to_be_valid_or_still_valid_does_not_exclude():
    docs = [{"id": "a", "name": "Carte", "expires_on": "2020-01-01", "inactive_if_invalid": False},
            {"id": "b", "name": "Antécédents", "expires_on": "2025-01-01", "inactive_if_invalid": True}]
    assert run(booking(), profile("UBIPN0001", eligibility_documents=docs)).candidates


def test_weekly_slots_in_montreal_time_covering_the_booking_pass():
    # 09:30-11:30 EDT on Tuesday (weekday 1) = 13:30-15:30 UTC: the local slot counts, merged
    slots = [{"weekday": 1, "start": "08:00", "end": "10:00"}, {"weekday": 1, "start": "10:00", "end": "12:00"}]
    assert run(booking(), profile("UBIPN0001", availability={"always": False, "slots": slots})).candidates


def test_either_direction_but_translation_only_the_exact_one():
    reverse = profile("UBIPN0001", language_pairs=[{"source": "hongrois", "target": "francais"}],
                      request_types=["in_person", "document_translation"])
    exact = profile("UBIPN0002", request_types=["in_person", "document_translation"])
    result = run(booking(), reverse, exact)
    assert [c["interpreter_id"] for c in result.candidates] == ["UBIPN0002", "UBIPN0001"]   # exact scores more
    translation = booking(mode="document_translation", date=None, start_time=None, duration_minutes=None,
                          due_date="2024-09-10")
    result = run(translation, reverse, exact)
    assert [c["interpreter_id"] for c in result.candidates] == ["UBIPN0002"]
    assert why(result, "UBIPN0001") == ["matching.language_pair"]


def test_overlapping_booking_with_travel_margin_for_in_person_work():
    uid = "UBIPN0001"
    after = START + timedelta(minutes=150)          # 30 min after the end: inside the 60 min margin
    result = run(booking(), profile(uid), bookings=[busy(uid, after)])
    assert why(result, uid) == ["matching.overlapping_booking"]
    assert result.excluded[0]["reasons"][0]["params"]["margin_minutes"] == 60
    # remote work on both sides needs no travel margin
    phone = booking(mode="phone")
    assert run(phone, profile(uid), bookings=[busy(uid, after, mode="video")]).candidates
    assert why(run(phone, profile(uid), bookings=[busy(uid, START, mode="video")]), uid) == [
        "matching.overlapping_booking"]
    # a cancelled or only offered booking does not block; a wider margin is policy
    assert run(booking(), profile(uid), bookings=[busy(uid, after, status="cancelled")]).candidates
    far = START + timedelta(minutes=200)
    assert run(booking(), profile(uid), bookings=[busy(uid, far)]).candidates
    wide = m.MatchingPolicy(travel_margin_minutes=90)
    assert why(run(booking(), profile(uid), bookings=[busy(uid, far)], policy=wide), uid) == [
        "matching.overlapping_booking"]


def test_distance_by_coordinates_from_the_closer_of_home_and_work_region():
    locations = m.Locations({"Hôpital Maisonneuve-Rosemont": {"lat": 45.574, "lon": -73.558}},
                            {"G1R": {"lat": 46.81, "lon": -71.21}, "H2X": {"lat": 45.51, "lon": -73.57}})
    near = profile("UBIPN0001", home_coordinates={"lat": 45.58, "lon": -73.56})
    # home in Quebec City, but the work region's postal code (Montreal) is closer
    work = profile("UBIPN0002", home_coordinates={"lat": 46.81, "lon": -71.21})
    far = profile("UBIPN0003", home_coordinates={"lat": 46.81, "lon": -71.21}, work_region_postal_code="G1R 4P5")
    result = run(booking(), near, work, far, locations=locations,
                 policy=m.MatchingPolicy(max_distance_km=150))
    ranked = {c["interpreter_id"]: c for c in result.candidates}
    assert list(ranked) == ["UBIPN0001", "UBIPN0002"]
    assert ranked["UBIPN0001"]["distance_km"] < 2 and 5 < ranked["UBIPN0002"]["distance_km"] < 10
    assert why(result, "UBIPN0003") == ["matching.too_far"]
    assert m.haversine_km((45.5017, -73.5673), (46.8139, -71.2080)) == pytest.approx(233, abs=3)


def test_distance_fallback_on_postal_codes_without_coordinates():
    state = booking(address="5415 boul. de l'Assomption, Montréal H1T 2M4")
    same_area = profile("UBIPN0001", home_coordinates=None, postal_code="H1T 1A1")
    same_region = profile("UBIPN0002", home_coordinates=None, postal_code="H3A 1A1", work_region_postal_code=None)
    unknown = profile("UBIPN0003", home_coordinates=None, postal_code=None, work_region_postal_code=None)
    result = run(state, same_area, same_region, unknown)
    assert [c["interpreter_id"] for c in result.candidates] == ["UBIPN0001", "UBIPN0002", "UBIPN0003"]
    codes = [c["reasons"][-1]["code"] for c in result.candidates]
    assert codes == ["matching.ok.same_area", "matching.ok.same_region", "matching.ok.distance_unknown"]


def test_declined_interpreters_are_out_and_tiers_follow_the_score():
    state = Booking().given(offered(ALICE, BRUNO), (BRUNO, "decline", {})).state
    profiles = [profile(ALICE["user_id"]), profile(BRUNO["user_id"])] + [profile(f"UBIPN09{i:02d}") for i in range(7)]
    result = run(state, *profiles, policy=m.MatchingPolicy(tier_size=3))
    assert why(result, BRUNO["user_id"]) == ["matching.declined"]
    assert [c["tier"] for c in result.candidates] == [1, 1, 1, 2, 2, 2, 3, 3]
    assert next(c for c in result.candidates if c["interpreter_id"] == ALICE["user_id"])["offered"] is True
    assert ALICE["user_id"] not in m.next_tier(state, result, m.MatchingPolicy(tier_size=3))


def test_the_index_and_the_naive_filter_agree():
    profiles = [profile(f"UBIPN1{i:03d}", active=i % 5 != 0, request_types=["in_person"] if i % 3 else ["phone"],
                        language_pairs=[{"source": "Français", "target": ["Hongrois", "Arabe"][i % 2]}])
                for i in range(40)]
    bookings = [busy(f"UBIPN1{i:03d}", START + timedelta(minutes=30)) for i in range(0, 40, 7)]
    fast = run(booking(), *profiles, bookings=bookings)
    by_interpreter: dict = {}
    for b in bookings:
        by_interpreter.setdefault(b["assigned_interpreter_id"], []).append(b)
    slow = m.match_naive(booking(), profiles, by_interpreter, NOW)
    assert [c["interpreter_id"] for c in fast.candidates] == [c["interpreter_id"] for c in slow.candidates]
    # same people out, same first reason (the index stops at the language pair for the others)
    assert {e["interpreter_id"]: e["reasons"][0] for e in fast.excluded} == {
        e["interpreter_id"]: e["reasons"][0] for e in slow.excluded}


def test_escalation_and_flag_timing():
    policy = m.MatchingPolicy(offer_timeout_minutes=60, flag_before_hours=48)
    state = Booking().given(offered(ALICE)).state
    assert not m.escalation_due(state, NOW + timedelta(minutes=59), policy)
    assert m.escalation_due(state, NOW + timedelta(minutes=60), policy)
    assert not m.escalation_due(Booking().state, NOW + timedelta(days=1), policy)   # never offered
    assert not m.flag_due(state, START - timedelta(hours=49), policy)
    assert m.flag_due(state, START - timedelta(hours=47), policy)
    assert not m.flag_due(state, START + timedelta(minutes=1), policy)


def test_urgency_orders_by_start_waiting_and_declines():
    soon, later = Booking().state, Booking({"date": "2024-09-05"}).state
    assert m.urgency(soon, NOW) < m.urgency(later, NOW)
    declined = Booking({"date": "2024-09-05"}).given(offered(ALICE), (ALICE, "decline", {})).state
    assert m.urgency(declined, NOW) == m.urgency(later, NOW) - 6
    assert m.urgency(later, NOW + timedelta(hours=8)) == m.urgency(later, NOW) - 8 - 2
    assert COORD  # the queue itself is tested on the app

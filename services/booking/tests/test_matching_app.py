"""Matching in BookingApp over real stores: candidates, broadcast race, escalation by the app clock,
profiles changing (inactive, deactivated, document expired), and the urgency queue."""
from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest

from ims_common.errors import Conflict, Forbidden, IMSError
from ims_common.messages import translate
from services.auth.contract.profiles import ProfileCopy
from services.booking.domain.matching import MatchingPolicy
from services.booking.bootstrap import policy_from_env
from services.booking.domain.access import SYSTEM_ACTOR

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .matching_fixtures import profile
from .scenario import ALICE, COORD, REQUESTER, START

BARE_PROFILES = True     # matching's own profiles only

_versions: dict = {}


def publish(app, data: dict, type: str = "ProfileUpdated") -> None:
    """What the profile projector does with one of auth's events."""
    uid = data["user_id"]
    _versions[uid] = _versions.get(uid, 0) + 1
    ProfileCopy(app.docs).apply(SimpleNamespace(type=type, data=data, stream_version=_versions[uid]))


def interpreters(app, count, prefix="UBIPN0", **changes) -> list[dict]:
    people = [profile(f"{prefix}{i:03d}", **changes) for i in range(count)]
    for p in people:
        publish(app, p)
    return people


def actor(p) -> dict:
    return {"user_id": p["user_id"], "role": "interpreter"}


def types(app) -> list[str]:
    return [e["type"] for e in app.events_since(0, 1000)]


def last(app, type):
    return [e for e in app.events_since(0, 1000) if e["type"] == type][-1]


def test_candidates_with_reasons_for_coordinators_only(app):
    ok, inactive = interpreters(app, 2)
    publish(app, dict(inactive, active=False))
    bid = create(app)["id"]
    result = app.candidates(COORD, bid)
    assert [c["interpreter_id"] for c in result["candidates"]] == [ok["user_id"]]
    [out] = result["excluded"]
    assert out["interpreter_id"] == inactive["user_id"]
    assert out["reasons"] == [{"code": "matching.account_inactive", "params": {}}]
    with pytest.raises(Forbidden):
        app.candidates(REQUESTER, bid)
    with pytest.raises(Forbidden):
        app.candidates(ALICE, bid)


def test_broadcast_race_one_winner_and_the_others_told(app, monkeypatch):
    people = interpreters(app, 10)
    bid = create(app)["id"]
    offered = app.execute(COORD, bid, "offer", {"all_qualified": True})
    assert sorted(offered["offered_to"]) == sorted(p["user_id"] for p in people)
    assert last(app, "BookingOffered")["data"]["broadcast"] is True
    all_decided = threading.Barrier(10, timeout=30)
    first_append, append = threading.local(), app.events.append

    def gated_append(*args):      # every thread decides before any appends: the worst interleaving
        if not getattr(first_append, "done", False):
            first_append.done = True
            all_decided.wait()
        return append(*args)

    monkeypatch.setattr(app.events, "append", gated_append)
    outcomes: dict = {}

    def accept(p):
        try:
            outcomes[p["user_id"]] = app.execute(actor(p), bid, "accept", {})["status"]
        except IMSError as error:
            outcomes[p["user_id"]] = error.code

    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [uid for uid, outcome in outcomes.items() if outcome == "booked"]
    assert len(winners) == 1, outcomes
    assert sorted(o for o in outcomes.values() if o != "booked") == ["booking.already_taken"] * 9
    assert types(app).count("BookingAccepted") == 1 and types(app).count("OffersWithdrawn") == 1
    withdrawn = last(app, "OffersWithdrawn")
    losers = sorted(set(outcomes) - set(winners))
    assert sorted(withdrawn["data"]["interpreter_ids"]) == losers and withdrawn["data"]["reason"] == "taken"
    for uid in losers:      # the booking left their lists; opening it says it is taken
        assert app.list_bookings({"user_id": uid, "role": "interpreter"}, {})["total"] == 0
    assert app.list_bookings({"user_id": winners[0], "role": "interpreter"}, {})["total"] == 1


def test_broadcast_with_nobody_qualified_is_a_conflict(app):
    bid = create(app)["id"]
    with pytest.raises(Conflict) as error:
        app.execute(COORD, bid, "offer", {"all_qualified": True})
    assert error.value.code == "booking.no_qualified_candidates"


def test_escalation_widens_by_tier_then_flags_by_the_app_clock(app, clock):
    app.policy = MatchingPolicy(tier_size=2, offer_timeout_minutes=60, flag_before_hours=48)
    people = interpreters(app, 5)
    bid = create(app)["id"]          # starts 2024-09-03 13:30Z; the clock is 2024-08-27 14:00Z
    app.execute(COORD, bid, "offer", {"interpreter_ids": [people[0]["user_id"]]})
    assert app.escalate() == {"escalated": [], "flagged": []}       # not stale yet
    clock.advance(minutes=59)
    assert app.escalate()["escalated"] == []
    clock.advance(minutes=1)
    [step] = app.escalate()["escalated"]
    assert step["tier"] == 2 and len(step["interpreter_ids"]) == 2
    assert people[0]["user_id"] not in step["interpreter_ids"]
    offer = last(app, "BookingOffered")
    assert offer["actor"] == {"user_id": "system", "role": "system"} and offer["data"]["tier"] == 2
    clock.advance(minutes=60)
    [step3] = app.escalate()["escalated"]
    assert step3["tier"] == 3 and len(step3["interpreter_ids"]) == 2
    clock.advance(minutes=60)
    assert app.escalate()["escalated"] == []                          # everyone was asked
    assert len(app.get_booking(COORD, bid)["offered_to"]) == 5
    clock.now = START - timedelta(hours=47)
    assert app.escalate()["flagged"] == [bid]
    assert app.escalate()["flagged"] == []                            # once
    flagged = last(app, "BookingFlaggedUnfilled")
    assert flagged["data"] == {"start_at": "2024-09-03T13:30:00Z", "hours_before": 48}
    queue = app.to_assign(COORD, {})
    assert queue["items"][0]["id"] == bid and queue["items"][0]["flagged_unfilled"] is True


def test_an_escalation_pass_another_process_is_running_does_nothing(app, clock):
    """Two booking processes side by side: while one holds the escalation lock the other's pass
    offers nothing (it would decide the same next tier), and the next pass does the work."""
    import threading
    app.policy = MatchingPolicy(tier_size=2, offer_timeout_minutes=60)
    people = interpreters(app, 4)
    bid = create(app)["id"]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [people[0]["user_id"]]})
    clock.advance(minutes=61)
    taken, release = threading.Event(), threading.Event()

    def other_process():          # another holder: the lock is exclusive across threads too
        with app.docs.lock("booking.escalation"):
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=other_process)
    holder.start()
    try:
        assert taken.wait(30)
        assert app.escalate() == {"escalated": [], "flagged": []}
    finally:
        release.set()
        holder.join(30)
    [step] = app.escalate()["escalated"]
    assert step["tier"] == 2


def test_escalation_skips_taken_bookings(app, clock):
    app.policy = MatchingPolicy(tier_size=2, offer_timeout_minutes=60)
    people = interpreters(app, 4)
    bid = create(app)["id"]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [people[0]["user_id"]]})
    app.execute(actor(people[0]), bid, "accept", {})
    clock.advance(hours=3)
    assert app.escalate()["escalated"] == []


@pytest.mark.parametrize("change", ["inactivity", "deactivated", "document_expired", "not_available"])
def test_an_interpreter_who_can_no_longer_work_is_left_out_of_new_offers(app, clock, change):
    app.policy = MatchingPolicy(tier_size=5, offer_timeout_minutes=60)
    doc = {"id": "d1", "name": "Antécédents judiciaires", "expires_on": "2024-08-30", "inactive_if_invalid": True,
           "description": "", "comments": ""}
    refusal = None
    keep, leaving, first = interpreters(app, 3)
    bid = create(app)["id"]
    if change == "inactivity":
        publish(app, dict(leaving, inactivity_periods=[
            {"id": "p", "start": "2024-09-02T00:00:00Z", "end": "2024-09-05T00:00:00Z", "reason": "congé"}]))
    elif change == "deactivated":
        publish(app, {"user_id": leaving["user_id"]}, type="AccountDeactivated")
        refusal = "booking.interpreter_deactivated"
    elif change == "document_expired":
        publish(app, dict(leaving, eligibility_documents=[doc]))
        other = create(app, date="2024-08-29")["id"]      # before the document expires: still fine
        assert leaving["user_id"] in [c["interpreter_id"] for c in app.candidates(COORD, other)["candidates"]]
        clock.advance(days=4)                               # 2024-08-31: the document has expired
    else:
        publish(app, dict(leaving, available_for_offers=False))
    # escalation leaves them out
    app.execute(COORD, bid, "offer", {"interpreter_ids": [first["user_id"]]})
    clock.advance(hours=2)
    [step] = app.escalate()["escalated"]
    assert step["interpreter_ids"] == [keep["user_id"]]
    # a broadcast too, and a coordinator naming them is refused with the reason
    second = create(app)["id"]
    broadcast = app.execute(COORD, second, "offer", {"all_qualified": True})
    assert leaving["user_id"] not in broadcast["offered_to"]
    with pytest.raises(Conflict) as error:
        app.execute(COORD, second, "offer", {"interpreter_ids": [leaving["user_id"]]})
    assert error.value.code == (refusal if change == "deactivated" else "booking.interpreter_excluded")
    assert error.value.params["interpreter_id"] == leaving["user_id"]


def test_offer_and_assign_take_only_active_interpreters_who_exist(app):
    """An unknown id, a requester's account and (for both) a deactivated interpreter are refused
    with a message naming them; nothing is appended."""
    keep, gone = interpreters(app, 2)
    publish(app, {"user_id": "UREQ0001", "role": "requester", "first_name": "Rita", "last_name": "D"})
    publish(app, {"user_id": gone["user_id"]}, type="AccountDeactivated")
    bid = create(app)["id"]
    before = types(app)
    for command, payload in (("offer", lambda uid: {"interpreter_ids": [keep["user_id"], uid]}),
                             ("assign", lambda uid: {"interpreter_id": uid})):
        for uid, code in (("UBIZZ9999", "booking.interpreter_unknown"), ("UREQ0001", "booking.not_an_interpreter"),
                          (gone["user_id"], "booking.interpreter_deactivated")):
            with pytest.raises(Conflict) as refused:
                app.execute(COORD, bid, command, payload(uid))
            assert (refused.value.code, refused.value.params["interpreter_id"]) == (code, uid)
            assert uid in translate(code, "fr", refused.value.params)
    assert types(app) == before
    assert app.execute(COORD, bid, "assign", {"interpreter_id": keep["user_id"]})["status"] == "booked"


def test_queue_orders_by_urgency(app, clock):
    for n in range(5):
        publish(app, profile(f"UBIPN07{n:02d}"))
    publish(app, profile(ALICE["user_id"]))
    later = create(app, date="2024-09-06")["id"]
    soon = create(app, date="2024-09-04")["id"]
    declined = create(app, date="2024-09-05")["id"]
    booked = create(app, date="2024-09-02")["id"]
    app.execute(COORD, booked, "assign", {"interpreter_id": ALICE["user_id"]})
    assert [i["id"] for i in app.to_assign(COORD, {})["items"]] == [soon, declined, later]
    for n in range(5):      # five declines = 30 hours more urgent than its start alone says
        uid = f"UBIPN07{n:02d}"
        app.execute(COORD, declined, "offer", {"interpreter_ids": [uid]})
        app.execute({"user_id": uid, "role": "interpreter"}, declined, "decline", {})
    queue = app.to_assign(COORD, {"per_page": 2})
    assert [i["id"] for i in queue["items"]] == [declined, soon] and queue["total"] == 3
    assert queue["items"][0]["declined_count"] == 5
    with pytest.raises(Forbidden):
        app.to_assign(REQUESTER, {})


def test_the_system_actor_cannot_do_what_people_do(app):
    bid = create(app)["id"]
    with pytest.raises(Forbidden):
        app.execute(SYSTEM_ACTOR, bid, "assign", {"interpreter_id": "X"})
    with pytest.raises(Forbidden):
        app.execute(COORD, bid, "flag-unfilled", {"hours_before": 48})


def test_policy_from_the_environment():
    policy = policy_from_env({"IMS_OFFER_TIMEOUT_MINUTES": "30", "IMS_FLAG_UNFILLED_HOURS": "24",
                              "IMS_MATCH_MAX_DISTANCE_KM": "80", "IMS_MATCH_TIER_SIZE": "x"})
    assert (policy.offer_timeout_minutes, policy.flag_before_hours, policy.max_distance_km) == (30, 24, 80.0)
    assert policy.tier_size == MatchingPolicy().tier_size


def test_assigning_an_excluded_interpreter_needs_an_override_that_is_recorded(app):
    """Blocked for the establishment and already booked at that time: refused naming both reasons in
    words; with the coordinator's reason it is booked, and the event records the override."""
    busy, blocked = interpreters(app, 2)
    publish(app, dict(blocked, establishment_blocks=[{"establishment": "HC", "reason": "conflit"}]))
    first = create(app)["id"]
    app.execute(COORD, first, "assign", {"interpreter_id": busy["user_id"]})
    bid = create(app)["id"]               # the same slot
    for uid, code in ((blocked["user_id"], "matching.blocked_for_establishment"),
                      (busy["user_id"], "matching.overlapping_booking")):
        with pytest.raises(Conflict) as refused:
            app.execute(COORD, bid, "assign", {"interpreter_id": uid})
        assert refused.value.code == "booking.assign_excluded"
        assert [r["code"] for r in refused.value.params["reasons"]] == [code]
        text = translate(refused.value.code, "fr", refused.value.params)
        assert "Ilona Kovacs ne peut pas être assigné" in text and "dérogation" in text
        assert "_" not in text and "T13:30" not in text          # no code, no ISO time
    assert "Déjà réservé : demande " + first in translate("booking.assign_excluded", "fr", refused.value.params)
    with pytest.raises(Conflict):          # a blank reason is no reason
        app.execute(COORD, bid, "assign", {"interpreter_id": busy["user_id"], "override_reason": "  "})
    booked = app.execute(COORD, bid, "assign", {"interpreter_id": blocked["user_id"],
                                                "override_reason": "Seule interprète disponible, confirmé par téléphone"})
    assert booked["status"] == "booked" and booked["assigned_interpreter_id"] == blocked["user_id"]
    assert booked["assign_override"]["reason"] == "Seule interprète disponible, confirmé par téléphone"
    assert booked["assign_override"]["by"] == COORD["user_id"]
    event = last(app, "BookingAssigned")
    assert event["schema_version"] == 2
    assert event["data"]["override"] == {"reason": "Seule interprète disponible, confirmé par téléphone",
                                         "exclusions": [{"code": "matching.blocked_for_establishment",
                                                         "params": {"establishment": "HC"}}]}
    assert "assign_override" not in app.get_booking(REQUESTER, bid)
    # An interpreter who fits needs no reason, and none is recorded.
    third = create(app, date="2024-09-10")["id"]
    assert app.execute(COORD, third, "assign", {"interpreter_id": busy["user_id"],
                                                "override_reason": "inutile"})["assign_override"] is None
    with pytest.raises(IMSError):         # exclusions are the service's, never the caller's
        app.execute(COORD, create(app)["id"], "assign", {"interpreter_id": busy["user_id"], "exclusions": []})


def test_an_interpreter_the_copy_does_not_know_yet_is_looked_up_once_more(app):
    """Created a second ago: the service catches up from auth before saying "unknown"."""
    newcomer = profile("UBIPN0555")
    bid = create(app)["id"]
    calls = []

    def refresh():
        calls.append(1)
        publish(app, newcomer)

    booked = app.execute(COORD, bid, "assign", {"interpreter_id": "UBIPN0555"}, refresh_profiles=refresh)
    assert booked["assigned_interpreter_id"] == "UBIPN0555" and calls == [1]
    with pytest.raises(Conflict):
        app.execute(COORD, create(app)["id"], "offer", {"interpreter_ids": ["UBIZZ9999"]}, refresh_profiles=refresh)


def test_a_direct_assignment_is_the_coordinators_call_on_language_and_availability(app):
    """Someone who does not list the pair or the weekday (a phone call settled it) is assigned
    without an override: only the profile's rules and a booking at that time stop it."""
    [other] = interpreters(app, 1, language_pairs=[{"source": "Français", "target": "Arabe"}],
                           availability={"always": False, "slots": []})
    bid = create(app)["id"]
    assert app.candidates(COORD, bid)["candidates"] == []
    assert app.execute(COORD, bid, "assign", {"interpreter_id": other["user_id"]})["assign_override"] is None

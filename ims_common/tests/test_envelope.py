from dataclasses import asdict

from ims_common.envelope import StoredEvent


def _event(data):
    return StoredEvent(event_id="e1", type="BookingAccepted", schema_version=2, stream_id="booking-HC-1",
                       stream_version=3, position=41, occurred_at="2026-12-03T10:00:00.000000Z",
                       actor={"user_id": "UBIBN0001", "role": "interpreter", "scopes": ["a", "b"]},
                       correlation_id="c1", causation_id=None, data=data)


def test_to_dict_is_the_envelope_as_asdict_gives_it_in_the_same_order():
    event = _event({"interpreter_id": "UBIBN0001", "slots": [{"at": "10:00", "minutes": 60}], "note": None,
                    "rate": 1.5, "ok": True, "pair": ("fr", "hy")})
    got = event.to_dict()
    assert got == asdict(event)
    assert list(got) == list(asdict(event))
    assert got["data"]["pair"] == ("fr", "hy")


def test_to_dict_shares_nothing_with_the_event():
    event = _event({"slots": [{"at": "10:00"}]})
    got = event.to_dict()
    got["data"]["slots"][0]["at"] = "11:00"
    got["data"]["slots"].append({})
    got["actor"]["scopes"].append("c")
    assert event.data == {"slots": [{"at": "10:00"}]}
    assert event.actor["scopes"] == ["a", "b"]

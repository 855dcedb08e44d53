"""The requester learns who was assigned and how to reach them from the booking service's copy of
auth's profiles, only for a booking they may see; interpreters and other establishments learn nothing."""
from __future__ import annotations

import pytest

from ims_common.envelope import StoredEvent
from ims_common.errors import NotFound

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .matching_fixtures import profile
from .scenario import ALICE, BRUNO, COORD, OTHER_REQUESTER, REQUESTER

BARE_PROFILES = True     # the test's own profile of Alice


def _profile_event(data: dict) -> StoredEvent:
    return StoredEvent(event_id="e1", type="ProfileUpdated", schema_version=1, stream_id="account-" + data["user_id"],
                       stream_version=1, position=1, occurred_at="2024-09-01T12:00:00Z", actor={},
                       correlation_id=None, causation_id=None, data=data)


def test_requester_and_staff_get_the_name_and_contacts_others_do_not(app, stores):
    app.auth_profiles.copy.apply(_profile_event(profile(
        ALICE["user_id"], first_name="Alice", last_name="Tremblay", email="alice@example.org",
        mobile="514 555-0199", phone=None, contexts=["Santé mentale"])))
    bid = create(app)["id"]
    assert app.assigned_contact(REQUESTER, bid) is None          # nobody assigned yet
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    expected = {"user_id": ALICE["user_id"], "name": "Alice Tremblay", "mobile": "514 555-0199",
                "phone": None, "email": "alice@example.org"}
    assert app.assigned_contact(REQUESTER, bid) == expected       # nothing else of the profile
    assert app.assigned_contact(COORD, bid) == expected
    assert app.assigned_contact(ALICE, bid) is None
    with pytest.raises(NotFound):
        app.assigned_contact(OTHER_REQUESTER, bid)
    with pytest.raises(NotFound):
        app.assigned_contact(BRUNO, bid)

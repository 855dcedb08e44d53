"""What a cancellation made now would cost: the policy in force on the service date decides
(its late_cancellation_business_hours, editable), asked over payroll's RPC before anyone cancels."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ims_common.errors import ValidationFailed
from ims_common.nameko_ext import Stores
from ims_common.times import MONTREAL, iso_z
from services.payroll import bootstrap
from services.payroll.domain.cancellation import cancellation_terms
from services.payroll.domain.policy import CURRENT_POLICY, default_policy_book

REQUESTER = {"user_id": "UBIRQ0001", "role": "requester", "establishment": "HC"}
ADMIN = {"user_id": "UADMIN1", "role": "admin"}


def local(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=MONTREAL)


def test_inside_the_48_business_hours_a_timed_service_is_paid_as_planned():
    terms = cancellation_terms(local(2025, 3, 5, 14), local(2025, 3, 4, 10), default_policy_book(), "video")
    assert terms == {"late": True, "paid_as_planned": True, "deadline": "2025-03-03T19:00:00Z",
                     "business_hours": 48, "policy_version": CURRENT_POLICY.version}


def test_before_the_deadline_nothing_but_communications_is_paid():
    terms = cancellation_terms(local(2025, 3, 6, 9), local(2025, 3, 3, 9), default_policy_book(), "phone")
    assert terms["late"] is False and terms["paid_as_planned"] is False


def test_a_late_cancellation_of_a_translation_is_not_paid_as_planned():
    terms = cancellation_terms(local(2025, 3, 5, 14), local(2025, 3, 5, 9), default_policy_book(),
                               "document_translation")
    assert terms["late"] is True and terms["paid_as_planned"] is False


@pytest.fixture
def app(tmp_path):
    now = local(2025, 3, 3, 9)
    stores = Stores(f"sqlite:///{tmp_path / 'payroll.sqlite3'}")
    yield bootstrap.build(stores, clock=lambda: now)
    stores.close()


def test_the_version_in_force_on_the_service_date_decides(app):
    """An admin widens the window to 120 business hours from 2025-03-10: a service on 2025-03-14 is
    then inside it four business days ahead; one on 2025-03-05 still follows the 48 hours."""
    app.add_policy(ADMIN, {"version": "BI-2025-03-10", "effective_from": "2025-03-10",
                           "late_cancellation_business_hours": 120})
    later = app.cancellation_terms(REQUESTER, iso_z(local(2025, 3, 14, 9)), "in_person")
    assert later["policy_version"] == "BI-2025-03-10" and later["business_hours"] == 120
    assert later["late"] is False and later["deadline"] == iso_z(local(2025, 3, 7, 9))
    on_time = app.cancellation_terms(REQUESTER, iso_z(local(2025, 3, 5, 9)), "in_person")
    assert on_time["policy_version"] == CURRENT_POLICY.version and on_time["late"] is False
    assert app.cancellation_terms(REQUESTER, iso_z(local(2025, 3, 5, 8, 59)), "in_person")["late"] is True
    # The clock moves past the deadline: the same question now answers "late".
    app.clock = lambda: local(2025, 3, 7, 9) + timedelta(minutes=1)
    assert app.cancellation_terms(REQUESTER, iso_z(local(2025, 3, 14, 9)), "in_person")["paid_as_planned"] is True


@pytest.mark.parametrize("start_at, mode, field", [
    ("demain", None, "start_at"), (None, None, "start_at"), ({"$gt": ""}, None, "start_at"),
    ("2025-03-05T14:00:00Z", "teleportation", "mode"), ("1999-01-01T14:00:00Z", None, "start_at")])
def test_bad_input_is_the_one_validation_error(app, start_at, mode, field):
    with pytest.raises(ValidationFailed) as caught:
        app.cancellation_terms(REQUESTER, start_at, mode)
    assert caught.value.code == "request.invalid" and field in caught.value.fields

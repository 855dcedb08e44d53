"""Issue 15 (names everywhere): the dashboard's failed notices say what failed in words: the kind of
message, the channel, the person by name and the booking, never "booking_offered · sms · UBI…".
The system runs with an SMS provider nobody answers at and one attempt per message, so every SMS
fails at once."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker
from tests.browser.test_validation_queue import staff_page

pytestmark = pytest.mark.e2e
FAILING_SMS = {"SMS_PROVIDER": "twilio", "SMS_API_URL": "http://127.0.0.1:9", "SMS_ACCOUNT_SID": "AC0",
               "SMS_AUTH_TOKEN": "x", "SMS_FROM": "+15145550000", "NOTIFICATION_MAX_ATTEMPTS": "1"}


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-failed-sms"), amqp_uri, extra_env=FAILING_SMS) as running:
            yield running


def test_a_failed_text_message_is_said_in_words_on_the_dashboard(system, browser, shots):
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    sami = account_maker(api)("interpreter", "Sami", "Texto")
    api.ok(api.request("PATCH", f"/profiles/{sami['user_id']}", json={
        "mobile": "+15145550404", "language_pairs": [{"source": "Français", "target": "Arménien"}],
        "request_types": ["phone"], "availability": {"always": True, "slots": []}}))
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    booking = api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Arménien", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "duration_minutes": 60, "date": tomorrow, "start_time": "15:00"}), 201)["id"]
    api.ok(api.post(f"/bookings/{booking}/offer", {"interpreter_ids": [sami["user_id"]]}))
    wait_until(lambda: any(d["kind"] == "booking_offered" for d in api.ok(
        api.get("/notifications/deliveries", params={"status": "failed"}))["items"]), timeout=60)

    page = staff_page(browser, system)
    page.get_by_role("link", name="Tableau de bord").click()
    failed = page.locator("#failed li", has_text=booking)
    assert failed.count() == 1
    text = failed.inner_text()
    assert "Demande offerte · texto · Sami Texto" in text
    assert sami["user_id"] not in text and "booking_offered" not in text and "sms" not in text
    shots(page, "tableau-de-bord-avis-en-echec")

"""Issue 15: when the bank sends a report back (ServiceReportReturned), its interpreter is told by email
and SMS, in their language, with a link that opens the booking's report form showing the
coordinator's comment; the comment itself is never in the message. Through the system as `make run`
starts it (embedded senders write var/outbox/{email,sms}.jsonl)."""
from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import requests

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from ims_common.times import MONTREAL
from tests.api_client import ApiClient, hire
from tests.web_client import web_sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
LINK = re.compile(r"https?://[^\s<>\"')]+")
COMMENT = "L'heure de fin ne correspond pas à la feuille de présence."


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-returned"), amqp_uri) as running:
            yield running


def _at(day, hour: int) -> str:
    return datetime.combine(day, time(hour), MONTREAL).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _messages(system, *addresses: str) -> list[dict]:
    out = []
    for channel in ("email", "sms"):
        path = system.data_dir / "outbox" / f"{channel}.jsonl"
        if path.exists():
            out += [dict(json.loads(line), channel=channel) for line in path.read_text().splitlines() if line]
    return [m for m in out if m["to"] in addresses]


def _text(message: dict) -> str:
    return f"{message.get('subject') or ''}\n{message['body']}"


@pytest.mark.parametrize("lang, marker", [("fr", "corrigez-le"), ("en", "correct it")])
def test_a_report_sent_back_reaches_its_interpreter_with_a_link_to_the_report_form(system, lang, marker):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    who = f"retour.{lang}@example.org"
    person = hire(coord, {"email": who, "first_name": "Rachid", "last_name": f"Retour{lang.upper()}",
                          "role": "interpreter"}, PASSWORD)
    mobile = "+1514555030" + ("1" if lang == "fr" else "2")
    coord.ok(coord.request("PATCH", f"/profiles/{person['user_id']}", json={"mobile": mobile,
                                                                           "display_language": lang}))
    day = (datetime.now(MONTREAL) - timedelta(days=1)).date()
    booking = coord.ok(coord.post("/bookings", {
        "source_language": "Français", "target_language": "Arménien", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "duration_minutes": 60, "date": day.isoformat(), "start_time": "09:00"}), 201)["id"]
    coord.ok(coord.post(f"/bookings/{booking}/assign", {"interpreter_id": person["user_id"]}))
    own = ApiClient.login(system.url, who, PASSWORD)
    own.ok(own.post(f"/bookings/{booking}/report", {"provided": True, "actual_start": _at(day, 9),
                                                    "actual_end": _at(day, 10), "comments": "RAS"}))
    coord.ok(coord.post(f"/bookings/{booking}/return-report", {"comment": COMMENT}))

    def told():
        found = [m for m in _messages(system, who, mobile) if booking in _text(m) and marker in _text(m).lower()]
        return found if {m["channel"] for m in found} == {"email", "sms"} else None
    messages = wait_until(told, timeout=60)
    report_link = f"{system.url}/reservations/{booking}/rapport#report"
    for message in messages:
        assert LINK.findall(_text(message)) == [report_link], message
        assert COMMENT not in _text(message) and "feuille de présence" not in _text(message)

    # Signed out, the link leads to the sign-in and keeps where it goes.
    resp = requests.get(report_link, allow_redirects=False, timeout=15)
    assert resp.status_code == 302 and "/connexion" in resp.headers["Location"]
    assert urlsplit(report_link).path in requests.utils.unquote(resp.headers["Location"])
    # Signed in, it opens the booking's report form with the coordinator's comment.
    web = web_sign_in(system.url, who, PASSWORD)
    page = web.get(report_link, timeout=20, allow_redirects=False)
    assert page.status_code == 200 and booking in page.text
    assert 'id="returned"' in page.text and "L&#39;heure de fin ne correspond pas" in page.text
    assert f'action="/reservations/{booking}/rapport"' in page.text

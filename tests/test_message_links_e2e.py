"""Every link a message carries opens its page for its addressee. Through the system as `make run`
starts it (embedded senders: var/outbox/{email,sms}.jsonl), each kind of message is made to happen
as people make it happen; then every link of every email and SMS is opened by the person it went
to, signed in through /connexion like anyone, and must answer 200 with the page it names (a
booking's page shows its number, the interpreters' list the interpreter, and so on).

Notification's clock runs ahead (NOTIFICATION_CLOCK_OFFSET_SECONDS) so that, for it, it is noon on
a day two days from now: a booking starting that evening is due for its reminder at once, an
eligibility document expiring ten days later is due for its notice, and the daily digest is set
for a few minutes after noon (NOTIFICATION_DIGEST_AT), once a pending booking exists.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

import pytest
import requests

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from ims_common.times import MONTREAL, iso_z
from tests.api_client import ApiClient, hire
from tests.web_client import csrf_token, web_sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
DIGEST_DELAY = timedelta(minutes=4)     # the system starts within 120 s; the pending booking follows
LINK = re.compile(r"https?://[^\s<>\"')]+")


@dataclass
class Clock:
    """Notification's view of time: its clock read `noon` (a real moment two days ahead) when the
    system was started, and runs `offset` ahead of the real one."""
    offset: timedelta
    noon: datetime

    @classmethod
    def ahead(cls) -> "Clock":
        now = datetime.now(timezone.utc)
        day = (now + timedelta(days=2)).astimezone(MONTREAL).date()
        noon = datetime.combine(day, time(12, 0), MONTREAL)
        return cls(noon - now, noon)


@pytest.fixture(scope="module")
def clock():
    return Clock.ahead()


def clock_env(clock: Clock) -> dict:
    """Notification's clock `clock.offset` ahead, its digest DIGEST_DELAY after `clock.noon`."""
    return {"NOTIFICATION_CLOCK_OFFSET_SECONDS": str(int(clock.offset.total_seconds())),
            "NOTIFICATION_DIGEST_AT": (clock.noon + DIGEST_DELAY).strftime("%H:%M")}


@pytest.fixture(scope="module")
def system(tmp_path_factory, clock):
    env = clock_env(clock)
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-links"), amqp_uri, extra_env=env) as running:
            yield running


@dataclass
class Person:
    user_id: str
    email: str
    password: str
    name: str
    role: str
    mobile: str | None = None
    web: requests.Session | None = field(default=None, repr=False)


@pytest.fixture(scope="module")
def world(system, clock):
    email, password = system.coordinator_credentials()
    coord_api = ApiClient.login(system.url, email, password)
    me = coord_api.ok(coord_api.get("/me"))
    # The digest needs a pending booking before its time comes: the very first thing done.
    pending = create(coord_api, clock.noon + timedelta(hours=7))
    coord = Person(me["user_id"], email, password, f"{me['first_name']} {me['last_name']}", "coordinator")
    coord_api.ok(coord_api.request("PATCH", f"/profiles/{coord.user_id}",     # one's own: with the password
                                   json={"mobile": "514 555 0201", "current_password": password}))
    coord.mobile = "+15145550201"

    def account(role, first, last, mobile, **extra) -> tuple[Person, ApiClient]:
        body = {"email": f"{first.lower()}.{last.lower()}@example.org", "first_name": first, "last_name": last,
                "role": role, **extra}
        acc = hire(coord_api, body, PASSWORD)
        coord_api.ok(coord_api.request("PATCH", f"/profiles/{acc['user_id']}", json={"mobile": mobile}))
        person = Person(acc["user_id"], acc["email"], PASSWORD, f"{first} {last}", role,
                        "+1" + re.sub(r"\D", "", mobile))
        return person, ApiClient.login(system.url, acc["email"], PASSWORD)

    ines, ines_api = account("interpreter", "Ines", "Liens", "514 555 0102")
    otto, otto_api = account("interpreter", "Otto", "Liens", "514 555 0103")
    rita, rita_api = account("requester", "Rita", "Liens", "514 555 0104", establishment="HC")
    return {"coord": (coord, coord_api), "ines": (ines, ines_api), "otto": (otto, otto_api),
            "rita": (rita, rita_api), "pending": pending}


def create(api: ApiClient, start: datetime, minutes: int = 120) -> str:
    local = start.astimezone(MONTREAL)
    return api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Tigrigna", "mode": "video",
        "context": "Santé mentale", "establishment": "HC", "facility": "HC-HMR",
        "cost_center": "7301120", "cost_center_description": "DA services multidisciplinaires",
        "date": local.date().isoformat(), "start_time": local.strftime("%H:%M"), "duration_minutes": minutes,
        "video_platform": "Teams", "video_link": "https://example.org/meet/secret",
        "requester_name": "Rita Liens", "requester_phone": "514 555-0104",
        "note_to_interpreter": "Note confidentielle"}), 201)["id"]


def text_of(message: dict) -> str:
    return message.get("subject", "") + "\n" + message["body"]


def key_of(message: dict) -> tuple:
    return message["channel"], message["to"], message["body"]


class Outbox:
    """What the embedded senders wrote, one JSON line per message; remembers which were opened."""

    def __init__(self, system):
        self.dir = system.data_dir / "outbox"
        self.opened: set[tuple] = set()

    def messages(self) -> list[dict]:
        out = []
        for channel in ("email", "sms"):
            path = self.dir / f"{channel}.jsonl"
            if path.exists():
                out += [dict(json.loads(line), channel=channel) for line in path.read_text().splitlines() if line]
        return out

    def to(self, person: Person, *markers: str) -> list[dict]:
        """The person's messages (email and SMS) whose text has every marker (case-insensitive)."""
        return [m for m in self.messages() if m["to"] in (person.email, person.mobile)
                and all(marker.lower() in text_of(m).lower() for marker in markers)]

    def wait(self, person: Person, *markers: str, channels=("email", "sms"), timeout: float = 60) -> list[dict]:
        def arrived():
            found = self.to(person, *markers)
            return found if {m["channel"] for m in found} >= set(channels) else None
        try:
            return wait_until(arrived, timeout=timeout)
        except Exception:
            raise AssertionError(f"no {markers!r} message for {person.email} by {channels}; they have: "
                                 f"{[text_of(m)[:80] for m in self.to(person)]}") from None

    def open(self, system, person: Person, messages: list[dict], *expect: str) -> list[str]:
        """Opens every link of the messages as `person` (signed in on the web, unless `person.web` is
        a session of its own); each answers 200 and shows every `expect`. Returns the links."""
        if person.web is None:
            person.web = web_sign_in(system.url, person.email, person.password)
        opened = []
        for message in messages:
            for url in LINK.findall(text_of(message)):
                assert url.startswith(system.url + "/"), (url, message)
                resp = person.web.get(url, timeout=20, allow_redirects=False)
                assert resp.status_code == 200, (person.email, url, resp.status_code, resp.headers.get("Location"))
                for text in expect:
                    assert text in resp.text, (person.email, url, text)
                opened.append(url)
            self.opened.add(key_of(message))
        assert opened, (person.email, messages)
        return opened


def test_every_link_of_every_message_opens_its_page_for_its_addressee(system, clock, world):
    outbox = Outbox(system)
    coord, coord_api = world["coord"]
    ines, ines_api = world["ines"]
    otto, otto_api = world["otto"]
    rita, rita_api = world["rita"]
    evening = clock.noon + timedelta(hours=6)   # for notification: today at 18:00, its reminder due

    # Offered to two interpreters: each opens the offer; Ines accepts, Otto is told it went to
    # another interpreter (no link: nothing to do).
    a = create(rita_api, evening)
    coord_api.ok(coord_api.post(f"/bookings/{a}/offer", {"interpreter_ids": [ines.user_id, otto.user_id]}))
    outbox.open(system, ines, outbox.wait(ines, a, "nouvelle demande"), a)
    outbox.open(system, otto, outbox.wait(otto, a, "nouvelle demande"), a)
    ines_api.ok(ines_api.post(f"/bookings/{a}/accept"))
    assert not any(LINK.search(m["body"]) for m in outbox.wait(otto, a, "autre interprète"))
    # Accepted: the requester who asked opens her booking.
    outbox.open(system, rita, outbox.wait(rita, a, "réservée"), a)
    # The reminder, due for notification at once.
    outbox.open(system, ines, outbox.wait(ines, a, "rappel"), a)
    # Modified by the requester: the interpreter reviews it.
    rita_api.ok(rita_api.post(f"/bookings/{a}/modify", {"duration_minutes": 150}))
    outbox.open(system, ines, outbox.wait(ines, a, "modifiée"), a)
    # Given back (by the bank, for the interpreter): coordinators open it to reassign it.
    coord_api.ok(coord_api.post(f"/bookings/{a}/withdraw", {"reason": "Interprète malade"}))
    outbox.open(system, coord, outbox.wait(coord, a, "retiré"), a)

    # Assigned by the bank, then cancelled by the requester.
    c = create(rita_api, clock.noon + timedelta(days=3))
    coord_api.ok(coord_api.post(f"/bookings/{c}/assign", {"interpreter_id": ines.user_id}))
    outbox.open(system, ines, outbox.wait(ines, c, "assignée"), c)
    outbox.open(system, rita, outbox.wait(rita, c, "réservée"), c)
    rita_api.ok(rita_api.post(f"/bookings/{c}/cancel", {"reason": "Rendez-vous reporté"}))
    outbox.open(system, ines, outbox.wait(ines, c, "annulée"), c)

    # Served, reported, closed: payroll's final remuneration reaches the interpreter, whose
    # booking page then shows it.
    started = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=5)
    b = create(coord_api, started)
    coord_api.ok(coord_api.post(f"/bookings/{b}/assign", {"interpreter_id": ines.user_id}))
    outbox.open(system, ines, outbox.wait(ines, b, "assignée"), b)
    outbox.open(system, coord, outbox.wait(coord, b, "réservée"), b)   # the coordinator asked for it
    ines_api.ok(ines_api.post(f"/bookings/{b}/report", {
        "provided": True, "actual_start": iso_z(started), "actual_end": iso_z(datetime.now(timezone.utc)),
        "wait_minutes": 0, "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
        "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}))
    coord_api.ok(coord_api.post(f"/bookings/{b}/close", {"comment": "Conforme"}))
    outbox.open(system, ines, outbox.wait(ines, b, "finalisée", timeout=90), b, "82,00")

    # An eligibility document expiring in ten days (for notification): the interpreter opens her
    # profile; a coordinator opens her file, at its documents.
    expires = (clock.noon + timedelta(days=10)).date().isoformat()
    coord_api.ok(coord_api.request("PATCH", f"/profiles/{ines.user_id}", json={"eligibility_documents": [
        {"name": "Permis de travail", "expires_on": expires, "inactive_if_invalid": False}]}))
    outbox.open(system, ines, outbox.wait(ines, "« permis de travail »"), "Permis de travail", expires)
    outbox.open(system, coord, outbox.wait(coord, "« permis de travail »"),
                f"Dossier de {ines.name}", 'id="file-documents"', "Permis de travail")

    # The coordinators' digest of what is still unfilled within 48 h: the SMS links the dashboard,
    # the email each booking it lists.
    digest = outbox.wait(coord, "non pourvue", timeout=DIGEST_DELAY.total_seconds() + 120)
    email = next(m for m in digest if m["channel"] == "email")
    assert world["pending"] in email["body"]
    for url in outbox.open(system, coord, [m for m in digest if m["channel"] == "sms"], "Tableau de bord"):
        assert url.endswith("/tableau-de-bord")
    for line in email["body"].splitlines():
        if line.startswith("- "):
            outbox.open(system, coord, [{"channel": "email", "to": coord.email, "body": line}], line[2:].split()[0])
    outbox.opened.add(key_of(email))

    # auth's account messages. A temporary password: its link is the sign-in page, where the
    # temporary password works (and asks for a new one at once).
    made = coord_api.ok(coord_api.post("/accounts", {"email": "tania.temp@example.org", "first_name": "Tania",
                                                     "last_name": "Temp", "role": "interpreter"}), 201)
    tania = Person(made["user_id"], "tania.temp@example.org", "", "Tania Temp", "interpreter", web=requests.Session())
    [mail] = outbox.wait(tania, "mot de passe temporaire", channels=("email",))
    [url] = outbox.open(system, tania, [mail], 'name="identifier"')
    temporary = re.search(r"temporaire : (\S+)", mail["body"]).group(1)
    signed = tania.web.post(url, timeout=15, allow_redirects=False, data={
        "identifier": made["user_id"], "password": temporary, "csrf_token": csrf_token(tania.web.get(url, timeout=15).text)})
    assert signed.status_code == 302 and "/mot-de-passe" in signed.headers["Location"]

    # A reset link opens the page to choose a new password (nobody can be signed in there yet).
    assert requests.post(system.url + "/api/v1/auth/password/forgot", json={"email": otto.email},
                         timeout=15).status_code == 200
    otto_reset = Person(otto.user_id, otto.email, "", otto.name, otto.role, web=requests.Session())
    outbox.open(system, otto_reset, outbox.wait(otto, "réinitialis", channels=("email",)), 'name="new_password"')

    # Password changed: the message says whom to write to, and carries no link.
    new_password = PASSWORD + "x"
    otto_api.ok(otto_api.post("/auth/password", {"current_password": PASSWORD, "new_password": new_password,
                                                 "confirm_password": new_password}))
    assert not LINK.search(outbox.wait(otto, "a été changé", channels=("email",))[0]["body"])

    # Nothing left out: every message that carries a link was opened above by its addressee.
    unopened = [text_of(m)[:100] for m in outbox.messages() if LINK.search(text_of(m)) and key_of(m) not in outbox.opened]
    assert not unopened, unopened

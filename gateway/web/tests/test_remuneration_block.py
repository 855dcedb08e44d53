"""The booking page's remuneration block: each line with the rule that produced it, in the page's
language, and the amount's state in words (never a code such as "provisional")."""
from __future__ import annotations

from gateway.web.tests.test_pages import app, csrf_of, env, fake, sign_in  # noqa: F401  (fixtures)

RULES = {"demande": {"fr": "2 h minimum à 41,00 $/h, politique BI-2024-11-04",
                     "en": "2 h minimum at $41.00/h, policy BI-2024-11-04"},
         "distance": {"fr": "Aucun kilométrage déclaré, politique BI-2024-11-04",
                      "en": "No mileage claimed, policy BI-2024-11-04"}}


def _served(fake) -> str:
    fake.add_account("interpreter", user_id="UBIPN0002")
    requester = fake.add_account("requester", establishment="HC")
    booking = fake.call("booking", "create_booking", {"user_id": requester["user_id"], "role": "requester",
                                                      "establishment": "HC"},
                        {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
                         "date": "2025-01-07", "start_time": "09:00", "duration_minutes": 60})
    fake.bookings[booking["id"]].update(status="service_provided", assigned_interpreter_id="UBIPN0002")
    lines = [{"key": k, "label": "", "label_en": "", "amount": "82.00" if k == "demande" else "0.00",
              "rule": RULES.get(k, {"fr": "", "en": ""})}
             for k in ("demande", "distance", "travel_time", "phone_communications", "words", "other_fees",
                       "extra_fees")]
    fake.payroll__get_remuneration = lambda actor, bid: {"booking_id": bid, "items": [{
        "kind": "provisional", "rate_name": "Standard", "rate_description": "Heures de bureau", "lines": lines,
        "subtotal": "82.00", "gst": "0.00", "qst": "0.00", "total": "82.00", "policy_version": "BI-2024-11-04"}]}
    return booking["id"]


def test_each_line_says_the_rule_that_produced_it_in_french(app, fake):
    bid = _served(fake)
    client = app.test_client()
    sign_in(client, "UBIPN0002")
    html = client.get(f"/reservations/{bid}").get_data(as_text=True)
    block = html[html.index('id="remuneration"'):]
    assert "2 h minimum à 41,00 $/h, politique BI-2024-11-04" in block
    assert "Aucun kilométrage déclaré" in block and "Provisoire" in block and "provisional" not in block
    assert "Heures de bureau" in block


def test_and_in_english(app, fake):
    bid = _served(fake)
    client = app.test_client()
    client.post("/langue", data={"lang": "en", "next": "/connexion", "csrf_token": csrf_of(client)})
    sign_in(client, "UBIPN0002")
    html = client.get(f"/reservations/{bid}").get_data(as_text=True)
    block = html[html.index('id="remuneration"'):]
    assert "2 h minimum at $41.00/h, policy BI-2024-11-04" in block and "politique" not in block
    assert "Provisional" in block and "Office hours" in block

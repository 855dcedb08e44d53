"""The booking page's remuneration block: each line with the rule that produced it, in the page's
language, and the amount's state in words (never a code such as "provisional")."""
from __future__ import annotations

import itertools

from markupsafe import escape

from gateway.web.tests.test_pages import app, csrf_of, env, fake, sign_in  # noqa: F401  (fixtures)

_dbs = itertools.count(1)
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


def _priced_by_payroll(interpreter_region: str | None, with_reference: bool = True) -> dict:
    """A 450 km claim to Maisonneuve-Rosemont as payroll itself prices and shows it (its app over
    its own events and reference copy), for the page to render."""
    from ims_common.nameko_ext import Stores
    from services.payroll import bootstrap
    from services.payroll.tests.test_app import HMR, LANAUDIERE, NOW, in_person_claim, reference_item
    from services.payroll.tests.timeline import Source

    stores = Stores(f"mongomock://remuneration_block_{next(_dbs)}")
    app = bootstrap.build(stores, clock=lambda: NOW)
    booking, auth, reference = Source(), Source(), Source()
    auth.add("account-UINES", "ProfileUpdated", {"user_id": "UINES", "role": "interpreter",
                                                 "region": interpreter_region})
    if with_reference:
        reference_item(reference, "facility", HMR)
        reference_item(reference, "region", LANAUDIERE)
    bid = in_person_claim(booking, "450")
    app.catch_up_auth(auth.events_since)
    app.catch_up_reference(reference.events_since)
    app.catch_up(booking.events_since)
    view = app.get_remuneration({"user_id": "UBICB0001", "role": "coordinator"}, bid)
    stores.close()
    return view


def _validation_page(app, fake, view: dict, lang: str = "fr") -> str:
    """The booking page a coordinator validates from ("Valider et achever"), with payroll's view."""
    bid = _served(fake)
    fake.payroll__get_remuneration = lambda actor, booking_id: dict(view, booking_id=booking_id)
    coordinator = fake.add_account("coordinator")
    client = app.test_client()
    if lang == "en":
        client.post("/langue", data={"lang": "en", "next": "/connexion", "csrf_token": csrf_of(client)})
    sign_in(client, coordinator["user_id"])
    html = client.get(f"/reservations/{bid}").get_data(as_text=True)
    return html[html.index('id="remuneration"'):]


def test_the_coordinator_validating_sees_the_claimed_and_the_computed_distance_and_why_to_check(app, fake):
    """Issue 16, item 3: 450 km claimed; from the Lanaudière head office the road is 62,5 km, paid at
    that figure and flagged: both figures and the flag in words, on the page the bank validates from."""
    view = _priced_by_payroll("14-Lanaudière")
    block = _validation_page(app, fake, view)
    for line in view["items"][0]["lines"]:          # each line's rule as payroll wrote it (item 6)
        assert str(escape(line["rule"]["fr"])) in block, line
    assert "Trajet aller réclamé : 450\u00a0km · distance calculée : 62,5\u00a0km (depuis le siège social " \
           "de la région principale)" in block
    assert "À vérifier avant de valider" in block
    assert "Kilométrage réclamé au-delà de la distance calculée : payé à la distance calculée" in block
    assert "mileage_reduced" not in block and "60,00" in block
    english = _validation_page(app, fake, _priced_by_payroll("14-Lanaudière"), lang="en")
    assert "One-way route claimed: 450\u00a0km · computed distance: 62.5\u00a0km (from the main region's " \
           "head office)" in english.replace("&#39;", "'")
    assert "Mileage claimed beyond the computed distance: paid at the computed distance" in english


def test_a_claim_that_cannot_be_checked_says_so(app, fake):
    block = _validation_page(app, fake, _priced_by_payroll("14-Lanaudière", with_reference=False))
    assert "Trajet aller réclamé : 450\u00a0km · distance calculée : inconnue (coordonnées manquantes)" in block
    assert "Kilométrage non vérifiable (coordonnées inconnues)" in block


def test_the_interpreter_sees_the_figures_but_not_the_coordinators_checklist(app, fake):
    bid = _served(fake)
    view = _priced_by_payroll("14-Lanaudière")
    fake.payroll__get_remuneration = lambda actor, booking_id: dict(view, booking_id=booking_id)
    client = app.test_client()
    sign_in(client, "UBIPN0002")
    html = client.get(f"/reservations/{bid}").get_data(as_text=True)
    block = html[html.index('id="remuneration"'):]
    assert "distance calculée : 62,5\u00a0km" in block and "À vérifier" not in block


def test_the_validation_queue_shows_both_figures_too(app, fake):
    """The queue the bank validates from (/validation): the claim and the computed distance beside
    payroll's amounts, the flag in words."""
    bid = _served(fake)
    view = _priced_by_payroll("14-Lanaudière")
    fake.payroll__get_remuneration = lambda actor, booking_id: dict(view, booking_id=booking_id)
    coordinator = fake.add_account("coordinator")
    client = app.test_client()
    sign_in(client, coordinator["user_id"])
    html = client.get("/validation").get_data(as_text=True)
    card = html[html.index(f'id="v-{bid}"'):]
    assert "Trajet aller réclamé : 450\u00a0km · distance calculée : 62,5\u00a0km (depuis le siège social " \
           "de la région principale)" in card
    assert "Kilométrage réclamé au-delà de la distance calculée : payé à la distance calculée" in card

"""A booking's languages, context, establishment, facility and cost centre come from the bank's
reference data (the booking service's copy): an unknown value is refused naming its field, a known
one is stored in one form, and matching measures distances from the shipped coordinates."""
from __future__ import annotations

import pytest

from ims_common.errors import ValidationFailed
from ims_common.messages import translate
from services.booking.domain import reference_fields
from services.booking.domain.matching import haversine_km

from .app_fixtures import app, clock, create, stores  # noqa: F401
from .reference_fixtures import load_reference, reference_event
from .scenario import COORD, FIELDS, REQUESTER

BARE_PROFILES = True     # matching's own profiles only


@pytest.fixture
def ref_app(app):  # noqa: F811
    load_reference(app)
    return app


def test_names_typed_as_text_are_stored_in_one_form(ref_app):
    booking = create(ref_app, source_language="francais", target_language="Hungarian", context="sante physique",
                     facility="hopital maisonneuve-rosemont", cost_center="7301120")
    assert (booking["source_language"], booking["target_language"]) == ("Français", "Hongrois")
    assert booking["context"] == "Santé physique"
    assert booking["facility"] == "HC-HMR"
    assert booking["cost_center"] == "7301120"
    assert booking["cost_center_description"].startswith("7301120 - DSM-OPS - DA services multidisciplinaires")
    by_code = create(ref_app, source_language="fr", target_language="hu", facility="HC-HMR", context="dpj")
    assert (by_code["target_language"], by_code["context"]) == ("Hongrois", "Protection de la jeunesse (DPJ)")


@pytest.mark.parametrize("field, value, code", [
    ("target_language", "Klingon", "booking.unknown_language"),
    ("source_language", "Elfique", "booking.unknown_language"),
    ("context", "Astrologie", "booking.unknown_context"),
    ("facility", "Hôpital Test", "booking.unknown_facility"),
    ("facility", "CD-HJH", "booking.unknown_facility"),        # a facility of another establishment
    ("cost_center", "9999999", "booking.unknown_cost_centre"),
])
def test_an_unknown_value_is_refused_naming_its_field(ref_app, field, value, code):
    with pytest.raises(ValidationFailed) as refused:
        create(ref_app, **{field: value})
    assert refused.value.code == code
    assert refused.value.fields == {field: [code]}
    french = translate(code, "fr", refused.value.params)
    assert value in french and "{" not in french
    assert ref_app.list_bookings(COORD, {})["total"] == 0


def test_an_unknown_establishment_is_refused_for_a_coordinator(ref_app):
    with pytest.raises(ValidationFailed) as refused:
        ref_app.create_booking(COORD, dict(FIELDS, establishment="ZZZ"))
    assert refused.value.fields == {"establishment": ["booking.unknown_establishment"]}
    assert "ZZZ" in translate(refused.value.code, "en", refused.value.params)


def test_every_unknown_field_is_named_at_once(ref_app):
    with pytest.raises(ValidationFailed) as refused:
        create(ref_app, target_language="Klingon", facility="Nulle part")
    assert set(refused.value.fields) == {"target_language", "facility"}


def test_a_deactivated_language_is_refused(ref_app):
    load_reference(ref_app, [reference_event(10_000, "language", "hu", "ReferenceItemDeactivated",
                                             {"reason": "no interpreter left"}, version=2)])
    with pytest.raises(ValidationFailed) as refused:
        create(ref_app)
    assert refused.value.fields == {"target_language": ["booking.unknown_language"]}


def test_a_modification_checks_what_it_changes(ref_app):
    booking = create(ref_app)
    with pytest.raises(ValidationFailed) as refused:
        ref_app.execute(REQUESTER, booking["id"], "modify", {"facility": "Hôpital Test"})
    assert refused.value.fields == {"facility": ["booking.unknown_facility"]}
    changed = ref_app.execute(REQUESTER, booking["id"], "modify", {"facility": "Hôpital Santa Cabrini"})
    assert changed["facility"] == "HC-HSC"


def test_without_reference_data_nothing_is_refused(app):  # noqa: F811
    """Before the copy has received anything (or for a kind the bank keeps no list of), there is
    nothing to check against: the value is kept as typed."""
    assert create(app, facility="Hôpital Test")["facility"] == "Hôpital Test"


class _Lists:
    def __init__(self, items):
        self.items = items

    def has_list(self, kind, establishment=None):
        return any(i["kind"] == kind and (establishment is None or i.get("establishment") == establishment)
                   for i in self.items)

    def find(self, kind, text, establishment=None):
        return next((i for i in self.items if i["kind"] == kind and i["code"] == text), None)

    def cost_centre_description(self, establishment, code):
        return "described"


def test_an_establishment_without_a_list_keeps_what_was_typed():
    lists = _Lists([{"kind": "establishment", "code": "HC"}, {"kind": "facility", "code": "HC-A", "establishment": "HC"},
                    {"kind": "establishment", "code": "XY"}])
    assert reference_fields.resolve({"establishment": "XY", "facility": "Anything"}, lists)["facility"] == "Anything"
    with pytest.raises(ValidationFailed):
        reference_fields.resolve({"establishment": "HC", "facility": "Anything"}, lists)


def test_matching_measures_from_the_facility_and_the_region_head_office(ref_app):
    """An interpreter without home coordinates whose main region is 06 (Montréal): the distance is
    the great circle from the region's head office to the booking's facility (both shipped)."""
    profile = {"user_id": "UBIPN0009", "role": "interpreter", "active": True, "available_for_offers": True,
               "first_name": "Ilona", "last_name": "Kovacs", "region": "06-Montréal",
               "request_types": ["in_person"], "language_pairs": [{"source": "French", "target": "hu"}],
               "availability": {"always": True}}
    ref_app.docs.put("profiles", profile["user_id"], profile)
    booking = create(ref_app, facility="HC-HMR")
    result = ref_app.candidates(COORD, booking["id"])
    [candidate] = result["candidates"]
    office, hmr = ref_app.reference.region("06"), ref_app.reference.facility("HC-HMR")
    expected = haversine_km((office["latitude"], office["longitude"]), (hmr["latitude"], hmr["longitude"]))
    assert candidate["distance_km"] == round(expected, 1)
    assert {"code": "matching.ok.distance", "params": {"km": round(expected, 1)}} in candidate["reasons"]
    # Home coordinates, when the profile has them and they are closer, win.
    ref_app.docs.put("profiles", profile["user_id"], dict(profile, home_coordinates={"lat": hmr["latitude"],
                                                                                     "lon": hmr["longitude"] + 0.01}))
    [closer] = ref_app.candidates(COORD, booking["id"])["candidates"]
    assert closer["distance_km"] < 1


def test_a_context_needing_a_competency_comes_from_the_reference_data(ref_app):
    profile = {"user_id": "UBIPN0008", "role": "interpreter", "active": True, "available_for_offers": True,
               "first_name": "Marta", "last_name": "Nagy", "request_types": ["in_person"],
               "language_pairs": [{"source": "Français", "target": "Hongrois"}], "contexts": ["DPJ"]}
    ref_app.docs.put("profiles", profile["user_id"], profile)
    dpj = create(ref_app, context="Protection de la jeunesse (DPJ)")
    assert [c["interpreter_id"] for c in ref_app.candidates(COORD, dpj["id"])["candidates"]] == ["UBIPN0008"]
    mental = create(ref_app, context="Santé mentale")      # requires a competency she does not list
    assert ref_app.candidates(COORD, mental["id"])["candidates"] == []
    pediatrics = create(ref_app, context="Pédiatrie")       # open: no competency needed
    assert [c["interpreter_id"] for c in ref_app.candidates(COORD, pediatrics["id"])["candidates"]] == ["UBIPN0008"]

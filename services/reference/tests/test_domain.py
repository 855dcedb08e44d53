"""Reference items' rules without I/O: what a form, the API or a CSV row may give, the decider's
events, the fold's versions, reading CSV files as spreadsheets write them, distances."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.reference.contract import events as E
from services.reference.contract import vocabulary as V
from services.reference.contract.fold import fold
from services.reference.contract.geo import haversine_km
from services.reference.contract.text import fold_text, matches
from services.reference.domain import csv_rows
from services.reference.domain import decide as D
from services.reference.domain.items import check_item, normalize_code

REGION_06 = {"kind": "region", "id": "06", "code": "06", "active": True, "version": 1}
HC = {"kind": "establishment", "id": "HC", "code": "HC", "active": True, "version": 1}
OLD = {"kind": "establishment", "id": "OLD", "code": "OLD", "active": False, "version": 2}
UNIT = {"kind": "admin_unit", "id": "HC:6710", "code": "6710", "establishment": "HC", "active": True}
ANNULEE = {"kind": "report_reason", "id": "annulee", "code": "annulee", "category": "not_provided", "active": True}
KNOWN = {(i["kind"], i["id"]): i for i in (REGION_06, HC, OLD, UNIT, ANNULEE)}


def lookup(kind, item_id):
    return KNOWN.get((kind, item_id))


def errors_of(call) -> dict:
    """The fields of a malformed input (400)."""
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert caught.value.code == "request.invalid"
    return caught.value.fields


def conflicts_of(call) -> dict:
    """The fields of a well-formed input that does not fit the data or its other fields (409)."""
    with pytest.raises(Conflict) as caught:
        call()
    assert caught.value.code == "reference.inconsistent"
    return caught.value.fields


FACILITY = {"code": "hc-hmr", "establishment": "hc", "label_fr": "Hôpital Maisonneuve-Rosemont",
            "address": "5415, boulevard de l'Assomption", "city": "Montréal", "postal_code": "h1t2m4",
            "latitude": "45,5745", "longitude": "−73.558"}


def test_a_facility_is_normalized_as_people_type_it():
    item = check_item("facility", FACILITY, lookup)
    assert item == {"code": "HC-HMR", "label_fr": "Hôpital Maisonneuve-Rosemont",
                    "label_en": "Hôpital Maisonneuve-Rosemont", "establishment": "HC",
                    "address": "5415, boulevard de l'Assomption", "city": "Montréal", "postal_code": "H1T 2M4",
                    "latitude": 45.5745, "longitude": -73.558}


def test_every_mistake_of_a_facility_is_named_at_once():
    fields = errors_of(lambda: check_item("facility", {
        "code": "HC HMR", "establishment": "ZZ", "label_fr": "  ", "postal_code": "12345",
        "latitude": "73.5", "longitude": "-73.5", "colour": "red"}, lookup))
    assert fields == {"code": ["reference.field.code_format"], "establishment": ["reference.field.unknown_establishment"],
                      "label_fr": ["field.required"], "postal_code": ["field.invalid_postal_code"],
                      "latitude": ["reference.field.latitude"], "colour": ["field.unknown"]}


def test_a_positive_longitude_or_half_a_pair_of_coordinates_is_refused():
    assert errors_of(lambda: check_item("facility", {**FACILITY, "longitude": "73.558"}, lookup)) == {
        "longitude": ["reference.field.longitude"]}
    assert conflicts_of(lambda: check_item("facility", {**FACILITY, "longitude": None}, lookup)) == {
        "longitude": ["reference.field.coordinates_pair"]}
    no_point = check_item("facility", {**FACILITY, "latitude": "", "longitude": None}, lookup)
    assert (no_point["latitude"], no_point["longitude"]) == (None, None)


def test_a_new_facility_needs_an_active_establishment():
    assert conflicts_of(lambda: check_item("facility", {**FACILITY, "establishment": "OLD"}, lookup)) == {
        "establishment": ["reference.field.inactive_establishment"]}


def test_region_codes_come_back_from_spreadsheets_and_stay_within_the_18():
    assert normalize_code("region", "6") == "06"
    assert normalize_code("region", 6) == "06"
    assert normalize_code("region", "06-Montréal") == "06"
    assert normalize_code("region", "19") is None
    assert normalize_code("establishment", "hc") == "HC"
    assert normalize_code("establishment", "TOOLONGX") is None
    assert normalize_code("language", "HU") == "hu"


def test_an_establishment_names_a_known_region_and_a_category():
    fields = errors_of(lambda: check_item("establishment", {"code": "XY", "label_fr": "X", "region": "19",
                                                            "category": "hospital"}, lookup))
    assert fields == {"region": ["reference.field.unknown_region"], "category": ["field.not_one_of"]}
    ok = check_item("establishment", {"code": "xy", "label_fr": "X", "region": "6", "category": "CISSS"}, lookup)
    assert (ok["code"], ok["region"], ok["category"]) == ("XY", "06", "cisss")


def test_a_cost_centre_names_an_admin_unit_of_its_own_establishment():
    ok = check_item("cost_centre", {"code": "7301110", "establishment": "HC", "label_fr": "BPUE", "admin_unit": "6710"},
                    lookup)
    assert V.item_id("cost_centre", ok["code"], ok["establishment"]) == "HC:7301110"
    assert conflicts_of(lambda: check_item("cost_centre", {"code": "1", "establishment": "HC", "label_fr": "B",
                                                        "admin_unit": "9999"}, lookup)) == {
        "admin_unit": ["reference.field.unknown_admin_unit"]}


def test_a_detailed_reason_names_a_general_one_and_only_it_does():
    ok = check_item("report_reason", {"label_fr": "Retard du professionnel", "label_en": "Professional late",
                                      "category": "not_provided_detail", "general": "annulee"}, lookup)
    assert ok["code"] == "retard_du_professionnel"      # made from the French name
    assert conflicts_of(lambda: check_item("report_reason", {"code": "x1", "label_fr": "X", "label_en": "X",
                                                          "category": "not_provided_detail"}, lookup)) == {
        "general": ["reference.field.general_required"]}
    assert conflicts_of(lambda: check_item("report_reason", {"code": "x1", "label_fr": "X", "label_en": "X",
                                                          "category": "overtime", "general": "annulee"}, lookup)) == {
        "general": ["reference.field.general_not_allowed"]}
    assert conflicts_of(lambda: check_item("report_reason", {"code": "x1", "label_fr": "X", "label_en": "X",
                                                          "category": "not_provided_detail",
                                                          "general": "rdv_plus_long"}, lookup)) == {
        "general": ["reference.field.unknown_general_reason"]}


def test_languages_and_contexts_need_both_names():
    assert errors_of(lambda: check_item("language", {"code": "hu", "label_fr": "Hongrois"}, lookup)) == {
        "label_en": ["field.required"]}
    context = check_item("context", {"code": "dpj", "label_fr": "DPJ", "label_en": "Youth protection",
                                     "requires_competency": "oui"}, lookup)
    assert context["requires_competency"] is True
    assert errors_of(lambda: check_item("context", {"code": "dpj", "label_fr": "DPJ", "label_en": "Y",
                                                    "requires_competency": "peut-être"}, lookup)) == {
        "requires_competency": ["reference.field.not_a_boolean"]}


def created(kind, item):
    item_id, decided = D.decide_create(kind, item, lookup)
    return item_id, [{"type": t, "data": d, "stream_version": n, "occurred_at": f"2025-01-0{n}T12:00:00Z",
                      "actor": {"user_id": "U1", "role": "coordinator", "name": "Coord"}}
                     for n, (t, d) in enumerate(decided, start=1)]


def test_versions_follow_the_events_and_a_change_keeps_what_it_does_not_name():
    item_id, events = created("facility", FACILITY)
    state = fold(events)
    assert (item_id, state["version"], state["active"]) == ("HC-HMR", 1, True)
    decided = D.decide_change("facility", state, {"city": "Montréal (Rosemont)"}, lookup, expected_version=1)
    assert [t for t, _ in decided] == [E.CHANGED]
    assert decided[0][1]["changes"] == {"city": ["Montréal", "Montréal (Rosemont)"]}
    events.append({"type": E.CHANGED, "data": decided[0][1], "stream_version": 2,
                   "occurred_at": "2025-01-02T12:00:00Z", "actor": {"user_id": "U2", "role": "admin"}})
    state = fold(events)
    assert (state["version"], state["city"], state["address"]) == (2, "Montréal (Rosemont)", FACILITY["address"])
    assert state["updated_by"]["user_id"] == "U2"
    assert D.decide_change("facility", state, {"city": "Montréal (Rosemont)"}, lookup) == []   # nothing new
    renamed = D.decide_change("facility", state, {"label_fr": "Hôpital M.-R."}, lookup)[0][1]
    assert renamed["changes"] == {"label_fr": [FACILITY["label_fr"], "Hôpital M.-R."],
                                  "label_en": [FACILITY["label_fr"], "Hôpital M.-R."]}   # one name: it follows
    with pytest.raises(Conflict) as stale:
        D.decide_change("facility", state, {"city": "X"}, lookup, expected_version=1)
    assert stale.value.code == "reference.version_conflict"


def test_identity_fields_cannot_change_and_deactivation_toggles_once():
    _, events = created("cost_centre", {"code": "7301110", "establishment": "HC", "label_fr": "BPUE"})
    state = fold(events)
    assert errors_of(lambda: D.decide_change("cost_centre", state, {"code": "7301111", "establishment": "CD"},
                                             lookup)) == {"code": ["reference.field.immutable"],
                                                          "establishment": ["reference.field.immutable"]}
    off = D.decide_deactivate(state, " fusionné avec 7301120 ")
    assert off == [(E.DEACTIVATED, {"kind": "cost_centre", "id": "HC:7301110", "reason": "fusionné avec 7301120"})]
    inactive = fold(events + [{"type": E.DEACTIVATED, "data": off[0][1], "stream_version": 2}])
    assert inactive["active"] is False and inactive["deactivation_reason"] == "fusionné avec 7301120"
    with pytest.raises(Conflict):
        D.decide_deactivate(inactive)
    assert D.decide_reactivate(inactive)[0][0] == E.REACTIVATED
    with pytest.raises(NotFound):
        D.decide_reactivate(None)


def test_an_existing_item_cannot_be_created_again_and_only_staff_write():
    with pytest.raises(Conflict):
        D.decide_create("establishment", {"code": "HC", "label_fr": "X", "region": "06", "category": "ciusss"}, lookup)
    for role in ("requester", "interpreter", None):
        with pytest.raises(Forbidden):
            D.authorize({"role": role}, D.CREATE)
    D.authorize({"role": "coordinator"}, D.CHANGE)
    D.authorize({"role": "admin"}, D.DEACTIVATE)
    with pytest.raises(ValidationFailed) as unknown:
        D.check_kind("hospital")
    assert unknown.value.code == "reference.unknown_kind"


def test_search_ignores_accents_case_and_punctuation():
    assert fold_text("Hôpital Maisonneuve-Rosemont") == "hopital maisonneuve rosemont"
    assert matches("MAISONNEUVE hôpital", "Hôpital Maisonneuve-Rosemont")
    assert matches("coeur", "Hôpital du Sacré-Cœur-de-Montréal")
    assert not matches("rosemont verdun", "Hôpital Maisonneuve-Rosemont")


def test_csv_as_excel_writes_it_semicolons_bom_french_headers_windows_1252():
    content = "\ufeffCode;Nom en français;Nom en anglais;Couleur\r\nhu;Hongrois;Hungarian;bleu\r\n\r\nsw;Swahili;Swahili;\r\n"
    text, encoding = csv_rows.decode(content.encode("utf-8"))
    table = csv_rows.read_rows("language", text)
    assert (encoding, table["delimiter"], table["ignored_columns"]) == ("utf-8", ";", ["Couleur"])
    assert table["rows"] == [(2, {"code": "hu", "label_fr": "Hongrois", "label_en": "Hungarian"}),
                             (4, {"code": "sw", "label_fr": "Swahili", "label_en": "Swahili"})]
    text, encoding = csv_rows.decode("code,label_fr,label_en\nel,Grec,Greek\nhe,Hébreu,Hebrew\n".encode("cp1252"))
    assert encoding == "windows-1252" and "Hébreu" in text


def test_a_csv_without_its_key_column_is_refused_whole():
    with pytest.raises(ValidationFailed) as caught:
        csv_rows.read_rows("facility", "nom,adresse\nX,Y\n")
    assert caught.value.code == "reference.csv_missing_columns"
    with pytest.raises(ValidationFailed) as caught:
        csv_rows.read_rows("cost_centre", "code,label_fr\n1,X\n")
    assert caught.value.params == {"columns": "establishment"}
    with pytest.raises(ValidationFailed) as caught:
        csv_rows.read_rows("language", "   \n\n")
    assert caught.value.code == "reference.csv_empty"


def test_the_export_neutralises_formulas_but_keeps_negative_coordinates():
    out = csv_rows.to_csv("facility", [{"code": "X1", "label_fr": "=HYPERLINK(\"http://evil\")", "longitude": -73.5,
                                        "address": "-1 rue", "active": True}])
    assert out.startswith("\ufeffcode,")          # UTF-8 with BOM (import reads it back)
    line = out.splitlines()[1]
    assert "'=HYPERLINK" in line and ",-73.5," in line and "'-1 rue" in line and line.endswith(",oui")


def test_distances_between_montreal_and_quebec_city():
    hmr, chul = (45.5745, -73.5580), (46.7690, -71.2840)
    assert 215 < haversine_km(*hmr, *chul) < 225   # straight line; about 250 km by road
    assert haversine_km(*hmr, *hmr) == 0


@given(lat=st.floats(44, 63), lon=st.floats(-80, -57), lat2=st.floats(44, 63), lon2=st.floats(-80, -57))
def test_distances_are_symmetric_and_never_negative(lat, lon, lat2, lon2):
    there, back = haversine_km(lat, lon, lat2, lon2), haversine_km(lat2, lon2, lat, lon)
    assert there >= 0 and abs(there - back) < 1e-6


@given(st.text(max_size=40))
def test_any_text_as_a_code_is_normalized_or_refused_never_raises(text):
    for kind in V.KINDS:
        code = normalize_code(kind, text)
        assert code is None or normalize_code(kind, code) == code

"""The reference service's use cases over a real SQLite store: the default set loaded once and never
over the bank's changes, lists with search and filters, versions and history, CSV imports that keep
the good rows of a file with bad ones."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.reference import bootstrap
from services.reference.contract import events as E

COORD = {"user_id": "UBICO0001", "role": "coordinator", "name": "Chloé Coordonnatrice"}
ADMIN = {"user_id": "UBIAD0001", "role": "admin", "name": "Alain Admin"}
REQUESTER = {"user_id": "UBIRQ0001", "role": "requester", "name": "Rita", "establishment": "HC"}


class Clock:
    def __init__(self):
        self.now = datetime(2025, 3, 3, 14, 0, tzinfo=timezone.utc)

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'reference.sqlite3'}"


@pytest.fixture
def app(url):
    stores = bootstrap.open_stores(url)
    yield bootstrap.build(stores, clock=Clock(), load_defaults=True)
    stores.close()


def total(app, kind, **query):
    return app.list_items(REQUESTER, kind, query)["total"]


def test_the_default_set_loads_once_with_every_region_and_head_office(app, url):
    assert total(app, "region") == 18
    assert total(app, "language") >= 90
    assert total(app, "establishment") >= 30 and total(app, "facility") >= 70
    montreal = app.get_item(REQUESTER, "region", "06")
    assert (montreal["label_fr"], montreal["postal_code"]) == ("Montréal", "H2T 1H4")
    assert 45 < montreal["latitude"] < 46 and -74 < montreal["longitude"] < -73
    assert montreal["updated_by"] == E.DEFAULTS_ACTOR
    every_facility = app.list_items(REQUESTER, "facility", {"per_page": 1000})["items"]
    assert all(f["latitude"] is not None and f["establishment"] for f in every_facility)
    loaded = app.health()["last_position"]

    again = bootstrap.open_stores(url)
    try:
        assert bootstrap.build(again, load_defaults=True).health()["last_position"] == loaded
    finally:
        again.close()


def test_the_default_set_never_undoes_the_banks_changes(app, url):
    app.change_item(COORD, "language", "fa", {"label_fr": "Persan (farsi)"})
    app.deactivate_item(COORD, "context", "legal", "Plus offert")
    before = app.health()["last_position"]
    again = bootstrap.open_stores(url)
    try:
        restarted = bootstrap.build(again, load_defaults=True)
        assert restarted.health()["last_position"] == before
        assert restarted.get_item(COORD, "language", "fa")["label_fr"] == "Persan (farsi)"
        assert restarted.get_item(COORD, "context", "legal")["active"] is False
    finally:
        again.close()


def test_lists_search_without_accents_and_filter_by_establishment_and_activity(app):
    found = app.list_items(REQUESTER, "facility", {"q": "hopital maisonneuve"})["items"]
    assert [f["code"] for f in found] == ["HC-HMR"]
    hc = app.list_items(REQUESTER, "facility", {"establishment": "hc"})["items"]
    assert {f["code"] for f in hc} == {"HC-HMR", "HC-HSC", "HC-IUSMM"}
    assert [lang["code"] for lang in app.list_items(REQUESTER, "language", {"q": "HÉBREU"})["items"]] == ["he"]
    montreal = app.list_items(REQUESTER, "establishment", {"region": "6"})["items"]
    assert {"HC", "CHUM", "CCSMTL"} <= {e["code"] for e in montreal} and all(e["region"] == "06" for e in montreal)
    app.deactivate_item(COORD, "facility", "HC-HSC")
    assert {f["code"] for f in app.list_items(REQUESTER, "facility", {"establishment": "HC"})["items"]} == \
        {"HC-HMR", "HC-IUSMM"}
    assert total(app, "facility", establishment="HC", include_inactive=True) == 3
    details = app.list_items(REQUESTER, "report_reason", {"category": "not_provided_detail"})["items"]
    assert "Retard du professionnel / ne s'est pas présenté" in [d["label_fr"] for d in details]
    page = app.list_items(REQUESTER, "language", {"per_page": 10, "page": 2, "sort": "code"})
    assert len(page["items"]) == 10 and page["total"] >= 90
    with pytest.raises(ValidationFailed) as caught:
        app.list_items(REQUESTER, "language", {"establishment": "HC"})
    assert caught.value.fields == {"establishment": ["field.unknown"]}


def test_an_item_keeps_every_version_with_who_changed_what(app):
    created = app.create_item(COORD, "facility", {
        "code": "HC-CLSC-MERCIER", "establishment": "HC", "label_fr": "CLSC Mercier-Est–Anjou",
        "address": "9403, rue Sherbrooke Est", "city": "Montréal", "postal_code": "H1L 6P4",
        "latitude": 45.5990, "longitude": -73.5380})
    assert (created["id"], created["version"], created["active"]) == ("HC-CLSC-MERCIER", 1, True)
    changed = app.change_item(ADMIN, "facility", "HC-CLSC-MERCIER", {"label_fr": "CLSC de Mercier-Est–Anjou",
                                                                    "version": 1})
    assert changed["version"] == 2 and changed["updated_by"]["name"] == "Alain Admin"
    with pytest.raises(Conflict) as stale:
        app.change_item(COORD, "facility", "HC-CLSC-MERCIER", {"label_fr": "X", "version": 1})
    assert stale.value.params["actual"] == 2
    app.deactivate_item(COORD, "facility", "HC-CLSC-MERCIER", "Déménagé")
    app.reactivate_item(COORD, "facility", "HC-CLSC-MERCIER")
    history = app.item_history(COORD, "facility", "HC-CLSC-MERCIER")
    assert [(h["version"], h["type"], h["by"]["user_id"]) for h in history["history"]] == [
        (1, E.CREATED, "UBICO0001"), (2, E.CHANGED, "UBIAD0001"), (3, E.DEACTIVATED, "UBICO0001"),
        (4, E.REACTIVATED, "UBICO0001")]
    assert history["history"][1]["changes"] == {     # one name for both languages: English follows
        "label_fr": ["CLSC Mercier-Est–Anjou", "CLSC de Mercier-Est–Anjou"],
        "label_en": ["CLSC Mercier-Est–Anjou", "CLSC de Mercier-Est–Anjou"]}
    assert history["history"][2]["reason"] == "Déménagé"
    assert history["item"]["version"] == 4 and history["item"]["active"] is True


def test_requesters_read_the_lists_but_never_write_nor_read_history(app):
    assert app.get_item(REQUESTER, "facility", "HC-HMR")["label_fr"] == "Hôpital Maisonneuve-Rosemont"
    for call in (lambda: app.create_item(REQUESTER, "language", {"code": "xh", "label_fr": "Xhosa", "label_en": "Xhosa"}),
                 lambda: app.change_item(REQUESTER, "facility", "HC-HMR", {"label_fr": "X"}),
                 lambda: app.deactivate_item(REQUESTER, "facility", "HC-HMR"),
                 lambda: app.import_csv(REQUESTER, "language", {"text": "code,label_fr,label_en\nxh,Xhosa,Xhosa\n"}),
                 lambda: app.item_history(REQUESTER, "facility", "HC-HMR")):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(NotFound):
        app.get_item(REQUESTER, "facility", "NOPE")


CSV = ("\ufeffcode;establishment;label_fr;address;city;postal_code;latitude;longitude;active\r\n"
       "HC-CLSC-HM;HC;CLSC Hochelaga-Maisonneuve;4201, rue Ontario Est;Montréal;H1V 1K2;45,5450;-73,5470;oui\r\n"
       "HC-BAD;ZZ;Installation fantôme;;;12345;;;\r\n"
       "HC-HMR;HC;Hôpital Maisonneuve-Rosemont;5415, boulevard de l'Assomption;Montréal;H1T 2M4;45,5745;-73,5580;oui\r\n"
       "HC-HSC;HC;Hôpital Santa Cabrini Ospedale;5655, rue Saint-Zotique Est;Montréal;H1T 1P7;45,58;-73,57;non\r\n"
       "HC-CLSC-HM;HC;Doublon;;;;;;\r\n"
       "HC-NOCOORD;HC;Point de service sans coordonnées;;;;;;\r\n")


def test_a_csv_import_reports_each_row_and_keeps_the_good_ones(app):
    before = app.health()["last_position"]
    preview = app.import_csv(COORD, "facility", {"text": CSV, "dry_run": True})
    assert preview["counts"] == {"added": 2, "changed": 1, "unchanged": 1, "refused": 2}
    assert app.health()["last_position"] == before      # a dry run writes nothing

    report = app.import_csv(COORD, "facility", {"text": CSV})
    assert report["delimiter"] == ";" and report["rows"] == 6
    assert [(a["line"], a["id"]) for a in report["added"]] == [(2, "HC-CLSC-HM"), (7, "HC-NOCOORD")]
    assert report["changed"] == [{"line": 5, "id": "HC-HSC", "fields": ["active", "label_en", "label_fr"]}]
    assert report["unchanged"] == [{"line": 4, "id": "HC-HMR"}]
    assert report["refused"] == [
        {"line": 3, "id": "HC-BAD", "errors": {"postal_code": ["field.invalid_postal_code"],
                                               "establishment": ["reference.field.unknown_establishment"]}},
        {"line": 6, "id": "HC-CLSC-HM", "errors": {"code": ["reference.field.duplicate_in_file"]}}]
    clsc = app.get_item(COORD, "facility", "HC-CLSC-HM")
    assert (clsc["latitude"], clsc["longitude"], clsc["updated_by"]["user_id"]) == (45.545, -73.547, "UBICO0001")
    cabrini = app.get_item(COORD, "facility", "HC-HSC")
    assert (cabrini["label_fr"], cabrini["active"]) == ("Hôpital Santa Cabrini Ospedale", False)
    with pytest.raises(NotFound):
        app.get_item(COORD, "facility", "HC-BAD")
    # The same file again: nothing new, the bad rows still refused.
    again = app.import_csv(COORD, "facility", {"text": CSV})
    assert again["counts"] == {"added": 0, "changed": 0, "unchanged": 4, "refused": 2}


def test_an_import_sees_the_rows_above_it_and_reads_windows_1252(app):
    text = ("code,category,general,label_fr,label_en\n"
            "reporte_meteo,not_provided,,Reporté (météo),Postponed (weather)\n"
            "tempete,not_provided_detail,reporte_meteo,Tempête de neige,Snowstorm\n")
    report = app.import_csv(ADMIN, "report_reason", {"content_base64": base64.b64encode(text.encode("cp1252")).decode()})
    assert report["encoding"] == "windows-1252"
    assert [a["id"] for a in report["added"]] == ["reporte_meteo", "tempete"] and not report["refused"]
    assert app.get_item(COORD, "report_reason", "tempete")["general"] == "reporte_meteo"


def test_scoped_items_import_per_establishment(app):
    text = ("etablissement,code,libelle,unite_administrative\n"
            "HC,7301199,Soins intensifs,\n"
            "CD,7301199,Santé mentale jeunesse,6710\n"
            "CD,7301200,Pédopsychiatrie,9999\n")
    report = app.import_csv(COORD, "cost_centre", {"text": text})
    assert [a["id"] for a in report["added"]] == ["HC:7301199", "CD:7301199"]
    assert report["refused"] == [{"line": 4, "id": "CD:7301200", "errors": {"admin_unit": ["reference.field.unknown_admin_unit"]}}]
    assert [c["id"] for c in app.list_items(COORD, "cost_centre", {"establishment": "CD", "q": "sante"})["items"]] == ["CD:7301199"]


def test_a_file_that_is_not_a_csv_of_the_kind_is_refused_with_a_reason(app):
    for payload, code in (({"text": ""}, "reference.csv_empty"),
                          ({"text": "nom,ville\nX,Y\n"}, "reference.csv_missing_columns"),
                          ({"text": "code,code\nx,y\n"}, "reference.csv_duplicate_column"),
                          ({"content_base64": "***"}, "request.invalid"),
                          ({}, "request.invalid"),
                          ({"text": "x", "content_base64": "eA=="}, "request.invalid")):
        with pytest.raises(ValidationFailed) as caught:
            app.import_csv(COORD, "language", payload)
        assert caught.value.code == code, payload


def test_the_read_model_rebuilt_from_the_events_is_the_live_one(app):
    app.change_item(COORD, "region", "06", {"head_office_name": "Siège social du CCSMTL"})
    app.deactivate_item(COORD, "language", "ceb")
    live = app.list_items(COORD, "region", {"include_inactive": True, "per_page": 100})["items"] + \
        app.list_items(COORD, "language", {"include_inactive": True, "per_page": 1000})["items"]
    app.rebuild()
    rebuilt = app.list_items(COORD, "region", {"include_inactive": True, "per_page": 100})["items"] + \
        app.list_items(COORD, "language", {"include_inactive": True, "per_page": 1000})["items"]
    assert rebuilt == live

"""/api/v1/reference/...: the gateway in front of the reference service's real app (over a real
SQLite store, the default set loaded), as requesters and coordinators call it; every answer matches
the schema the OpenAPI document gives it, and schemathesis finds no failure over these routes."""
from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

from gateway.app import create_app
from gateway.tests.conftest import People, bearer, make_token
from gateway.tests.fake_rpc import FakeServices
from services.reference import bootstrap

BASE = "/api/v1/reference"
NEW_FACILITY = {"code": "HC-CLSC-HM", "establishment": "HC", "label_fr": "CLSC Hochelaga-Maisonneuve",
                "address": "4201, rue Ontario Est", "city": "Montréal", "postal_code": "H1V 1K2",
                "latitude": 45.545, "longitude": -73.547}


@pytest.fixture
def reference(tmp_path, fake):
    stores = bootstrap.open_stores(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    app = bootstrap.build(stores, load_defaults=True)
    fake.attach("reference", app)
    yield app
    stores.close()


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def inline(node, spec):
    """The schema with every $ref replaced by what it names."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return inline(target, spec)
        return {k: inline(v, spec) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, spec) for v in node]
    return node


def conforms(spec, resp, path: str, method: str) -> dict:
    """The JSON body, after checking it against the documented schema of its status."""
    operation = spec["paths"][path][method]
    documented = operation["responses"][str(resp.status_code)]
    schema = inline(documented, spec)["content"]["application/json"]["schema"]
    OAS30Validator(schema).validate(resp.get_json())
    return resp.get_json()


def test_every_role_reads_the_lists_with_search_and_filters(client, people, reference, spec):
    resp = client.get(f"{BASE}/facilities?q=hopital%20maisonneuve", headers=people.headers("requester"))
    assert resp.status_code == 200
    body = conforms(spec, resp, "/api/v1/reference/facilities", "get")
    assert [f["code"] for f in body["items"]] == ["HC-HMR"] and body["items"][0]["latitude"] == 45.5745
    hc = client.get(f"{BASE}/facilities?establishment=HC", headers=people.headers("interpreter")).get_json()
    assert {f["code"] for f in hc["items"]} == {"HC-HMR", "HC-HSC", "HC-IUSMM"}
    regions = client.get(f"{BASE}/regions?per_page=50", headers=people.headers("interpreter"))
    assert [r["code"] for r in conforms(spec, regions, "/api/v1/reference/regions", "get")["items"]][:3] == \
        ["01", "02", "03"]
    assert client.get(f"{BASE}/languages").status_code == 401
    assert client.get(f"{BASE}/languages?establishment=HC", headers=people.headers("requester")).status_code == 400
    one = client.get(f"{BASE}/regions/06", headers=people.headers("requester"))
    assert conforms(spec, one, "/api/v1/reference/regions/{item_id}", "get")["head_office_name"].startswith("CIUSSS")
    assert client.get(f"{BASE}/regions/19", headers=people.headers("requester")).status_code == 404
    centre = client.get(f"{BASE}/cost-centres/CD:7301110", headers=people.headers("requester"))
    assert conforms(spec, centre, "/api/v1/reference/cost-centres/{item_id}", "get")["admin_unit"] == "6710"


def test_a_coordinator_creates_changes_deactivates_and_reads_the_history(client, people, reference, spec):
    coord = people.headers("coordinator")
    created = client.post(f"{BASE}/facilities", json=NEW_FACILITY, headers=coord)
    assert created.status_code == 201, created.get_json()
    assert conforms(spec, created, "/api/v1/reference/facilities", "post")["version"] == 1
    again = client.post(f"{BASE}/facilities", json=NEW_FACILITY, headers=coord)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "reference.already_exists"
    path = f"{BASE}/facilities/HC-CLSC-HM"
    changed = client.patch(path, json={"city": "Montréal (Hochelaga)", "version": 1}, headers=coord)
    assert conforms(spec, changed, "/api/v1/reference/facilities/{item_id}", "patch")["version"] == 2
    stale = client.patch(path, json={"city": "X", "version": 1}, headers=coord)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "reference.version_conflict"
    off = client.post(f"{path}/deactivate", json={"reason": "Fermé"}, headers=coord)
    assert conforms(spec, off, "/api/v1/reference/facilities/{item_id}/deactivate", "post")["active"] is False
    assert client.post(f"{path}/deactivate", headers=coord).status_code == 409
    on = client.post(f"{path}/reactivate", headers=coord)
    assert conforms(spec, on, "/api/v1/reference/facilities/{item_id}/reactivate", "post")["active"] is True
    history = client.get(f"{path}/history", headers=coord)
    body = conforms(spec, history, "/api/v1/reference/facilities/{item_id}/history", "get")
    assert [h["type"] for h in body["history"]] == ["ReferenceItemCreated", "ReferenceItemChanged",
                                                    "ReferenceItemDeactivated", "ReferenceItemReactivated"]
    assert body["history"][1]["changes"] == {"city": ["Montréal", "Montréal (Hochelaga)"]}
    assert body["history"][2]["by"]["user_id"] == "UBICO0001"


def test_requesters_and_interpreters_cannot_change_anything(client, people, reference):
    for who in ("requester", "interpreter"):
        headers = people.headers(who)
        assert client.post(f"{BASE}/facilities", json=NEW_FACILITY, headers=headers).status_code == 403
        assert client.patch(f"{BASE}/facilities/HC-HMR", json={"city": "X"}, headers=headers).status_code == 403
        assert client.post(f"{BASE}/facilities/HC-HMR/deactivate", headers=headers).status_code == 403
        assert client.get(f"{BASE}/facilities/HC-HMR/history", headers=headers).status_code == 403
        assert client.post(f"{BASE}/languages/import", json={"csv": "code\nxx\n"}, headers=headers).status_code == 403


def test_bad_values_are_refused_with_messages_in_the_callers_language(client, people, reference):
    resp = client.post(f"{BASE}/facilities", json={**NEW_FACILITY, "postal_code": "12345", "longitude": 73.5},
                       headers=people.headers("coordinator", lang="fr"))
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["fields"]["postal_code"] == ["Code postal canadien invalide (ex. J9P 0J7)."]
    assert set(error["fields"]) == {"postal_code", "longitude"}
    unknown = client.post(f"{BASE}/facilities", json={**NEW_FACILITY, "establishment": "ZZ"},
                          headers=people.headers("coordinator", lang="en"))
    assert unknown.status_code == 409
    assert unknown.get_json()["error"]["fields"] == {
        "establishment": ["Unknown establishment: create it first or check its code."]}
    half = client.post(f"{BASE}/facilities", json={**NEW_FACILITY, "latitude": None},
                       headers=people.headers("coordinator", lang="fr"))
    assert half.status_code == 409
    assert half.get_json()["error"]["fields"] == {"latitude": ["Donnez la latitude et la longitude ensemble, "
                                                               "ou aucune des deux."]}


def test_a_csv_import_answers_a_report_in_the_callers_language(client, people, reference, spec):
    csv = ("\ufeffcode;nom en français;nom en anglais\r\n"
           "xh;Xhosa;Xhosa\r\n"
           "HU;Hongrois (Hongrie);Hungarian\r\n"
           "12;Chiffres;Digits\r\n"
           "zu;Zoulou;\r\n")
    preview = client.post(f"{BASE}/languages/import", json={"csv": csv, "dry_run": True},
                          headers=people.headers("coordinator", lang="fr"))
    body = conforms(spec, preview, "/api/v1/reference/languages/import", "post")
    assert body["counts"] == {"added": 1, "changed": 1, "unchanged": 0, "refused": 2}
    assert client.get(f"{BASE}/languages/xh", headers=people.headers("coordinator")).status_code == 404
    report = client.post(f"{BASE}/languages/import", json={"csv": csv},
                         headers=people.headers("coordinator", lang="fr")).get_json()
    assert [r["id"] for r in report["added"]] == ["xh"]
    assert report["changed"] == [{"line": 3, "id": "hu", "fields": ["label_fr"]}]
    assert report["refused"] == [
        {"line": 4, "id": None, "errors": {"code": [
            "Code de langue invalide : le code ISO 639 en minuscules (ex. hu, prs, fcs)."]}},
        {"line": 5, "id": "zu", "errors": {"label_en": ["Ce champ est obligatoire."]}}]
    hu = client.get(f"{BASE}/languages/hu", headers=people.headers("requester")).get_json()
    assert hu["label_fr"] == "Hongrois (Hongrie)" and hu["updated_by"]["user_id"] == "UBICO0001"
    empty = client.post(f"{BASE}/languages/import", json={"csv": "  \n"}, headers=people.headers("coordinator"))
    # A string, as the document says; what it holds is the service's rule (422).
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "reference.csv_empty"


def test_the_document_names_every_reference_route_for_each_kind(spec):
    paths = [p for p in spec["paths"] if p.startswith(BASE)]
    assert len(paths) == 8 * 6          # per kind: list/create, import, one/change, deactivate, reactivate, history
    facility = spec["components"]["schemas"]["ReferenceFacilityCreate"]
    assert set(facility["required"]) == {"code", "label_fr", "establishment"}
    assert facility["properties"]["latitude"]["minimum"] == 44


def test_schemathesis_finds_nothing_wrong_over_the_reference_routes(tmp_path, monkeypatch):
    """Every documented reference operation, fuzzed as a coordinator against the real app: no 5xx,
    every answer as documented, schema-valid input accepted (or 404/409), schema-invalid refused."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    fake = FakeServices()
    people = People(fake)
    stores = bootstrap.open_stores(f"sqlite:///{tmp_path / 'fuzz.sqlite3'}")
    fake.attach("reference", bootstrap.build(stores, load_defaults=True))
    app = create_app(rpc=fake)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(make_token(people.coordinator["user_id"], "coordinator"))
    failures = []
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith(BASE)]
    assert len(operations) == 64
    try:
        for operation in operations:
            # A CSV file's own rules (its first line names the columns) are not a JSON schema's: a file
            # without them is a 400 with its reason, as any bad input; every other check applies.
            excluded = [positive_data_acceptance] if operation.path.endswith("/import") else []

            @settings(max_examples=10, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def fuzz(case):
                case.call_and_validate(headers=headers, excluded_checks=excluded)
            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    finally:
        stores.close()
    assert not failures, "\n\n".join(failures)

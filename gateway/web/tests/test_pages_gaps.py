"""The pages' last gaps (issue 7): time to assign on the indicators, lifting an account lock, pay-policy
versions (admins add one, errors in the viewer's language), eligibility documents with their file on
the interpreter's profile, the billing export of a period, and the assigned interpreter's name and
contacts for the requester. Over the gateway's fake services; each check includes who may not."""
from __future__ import annotations

import base64
import csv
import io
import re

from gateway.web.tests.test_pages import app, csrf_of, env, fake, sign_in  # noqa: F401  (fixtures)
from ims_common.errors import Forbidden, NotFound, ValidationFailed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed(app, fake, role, user_id, **extra):
    fake.add_account(role, user_id=user_id, **extra)
    client = app.test_client()
    sign_in(client, user_id)
    return client


def text_of(resp) -> str:
    return resp.get_data(as_text=True).replace("&#39;", "'")


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


# ---- 1. time to assign ----------------------------------------------------------------------------

def test_time_to_assign_median_and_p90_per_month(app, fake):
    from gateway.web.views_coordinator import percentile, time_to_assign
    assert percentile([], 0.5) is None
    assert percentile([1, 2, 3, 4], 0.5) == 2 and percentile(list(range(1, 11)), 0.9) == 9
    items = [{"created_at": "2030-01-05T14:00:00Z", "assigned_at": f"2030-01-05T{14 + h:02d}:00:00Z"} for h in (1, 2, 3, 4, 9)]
    items += [{"created_at": "2030-02-03T14:00:00Z", "assigned_at": "2030-02-03T14:30:00Z"},
              {"created_at": "2030-02-03T14:00:00Z", "assigned_at": None}]   # still pending: not counted
    result = time_to_assign(items)
    assert result["count"] == 6
    assert [(r["label"], r["count"], r["median_label"], r["p90_label"]) for r in result["rows"]] == [
        ("2030-01", 5, "3 h", "9 h"), ("2030-02", 1, "30 min", "30 min")]

    coord = signed(app, fake, "coordinator", "UCOOR0001")
    requester = fake.add_account("requester", establishment="HC")
    actor = {"user_id": requester["user_id"], "role": "requester", "establishment": "HC"}
    import datetime as dt
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for created, assigned in (("2030-01-05T14:00:00Z", "2030-01-05T16:00:00Z"),
                              ("2030-01-05T14:00:00Z", "2030-01-07T14:00:00Z")):
        booking = fake.call("booking", "create_booking", actor, {"source_language": "Français",
                            "target_language": "Hongrois", "mode": "phone", "date": day, "start_time": "09:00",
                            "duration_minutes": 60})
        fake.bookings[booking["id"]].update(status="booked", created_at=created, assigned_at=assigned, date=day)
    html = text_of(coord.get("/indicateurs"))
    assert 'id="time-to-assign"' in html and "Délai d'assignation" in html
    assert re.search(r'id="tta-median">\s*2 h<', html) and re.search(r'id="tta-p90">\s*2 j 0 h', html)
    assert html.count("<svg") >= 5


# ---- 2. lifting a lock -----------------------------------------------------------------------------

def test_coordinator_lifts_a_lock_with_csrf_and_others_may_not(app, fake):
    locked = fake.add_account("interpreter", user_id="UBIPN0007", first_name="Lina", last_name="Verrou")
    fake.accounts["UBIPN0007"].update(locked=True, locked_at="2030-01-05T14:00:00Z", failed_attempts=10)
    calls = []

    def manage(actor, user_id, action):
        if actor["role"] not in ("coordinator", "admin"):
            raise Forbidden("auth.forbidden")
        calls.append((actor["user_id"], user_id, action))
        fake.accounts[user_id].update(locked=False)
        return fake.accounts[user_id]
    fake.auth__manage_account = manage
    coord = signed(app, fake, "coordinator", "UCOOR0001")
    listing = coord.get("/interpretes")
    html = text_of(listing)
    assert listing.status_code == 200 and "Comptes verrouillés" in html and "Lina Verrou" in html
    assert "Lever le verrou" in html and 'action="/comptes/UBIPN0007/deverrouiller"' in html
    assert coord.post("/comptes/UBIPN0007/deverrouiller").status_code == 400   # no CSRF token
    assert calls == []
    done = coord.post("/comptes/UBIPN0007/deverrouiller", data={"csrf_token": token_of(html)})
    assert done.status_code == 302 and "fait=UBIPN0007" in done.location
    assert calls == [("UCOOR0001", "UBIPN0007", "unlock")]
    after = text_of(coord.get(done.location))
    assert "est levé" in after and "Aucun compte verrouillé." in after
    assert locked["user_id"] == "UBIPN0007"

    for role, uid in (("interpreter", "UBIPN0002"), ("requester", "UREQU0003")):
        other = signed(app, fake, role, uid, establishment="HC" if role == "requester" else None)
        token = csrf_of(other, "/profil")
        assert other.get("/interpretes").status_code == 404
        assert other.post("/comptes/UBIPN0007/deverrouiller", data={"csrf_token": token}).status_code == 404
    assert len(calls) == 1


# ---- 3. pay policy ---------------------------------------------------------------------------------

def _payroll(fake):
    policies = [{"version": "2024-11", "name": "Politique 2024", "effective_from": "2024-11-04",
                 "hourly_rate": "41.00", "after_hours_hourly_rate": None, "travel_hourly_rate": "0.00",
                 "mileage_rate_per_km": "0.48", "mileage_threshold_km": "16", "word_rate": "0.20",
                 "travel_time_paid": False, "wait_time_paid": False, "mileage_round_trip": True}]
    added = []

    def add_policy(actor, fields):
        if actor["role"] != "admin":
            raise Forbidden("payroll.forbidden")
        if fields["hourly_rate"] == "0.0001":
            raise ValidationFailed("payroll.invalid_policy", params={"reason": "hourly_rate must be cents"})
        added.append(fields)
        policies.append(dict(policies[-1], **fields))
        return policies[-1]
    fake.payroll__list_policies = lambda actor: policies
    fake.payroll__list_periods = lambda actor: [{"id": "2030-01-05", "start": "2030-01-05", "end": "2030-01-18",
                                                 "status": "open", "total": "123.45"}]
    fake.payroll__add_policy = add_policy
    return added


def test_coordinators_see_policy_versions_but_only_admins_add_one(app, fake):
    added = _payroll(fake)
    coord = signed(app, fake, "coordinator", "UCOOR0001")
    html = text_of(coord.get("/paie"))
    assert "2024-11" in html and "Politique 2024" in html
    assert "Nouvelle version de la politique" not in html and "Seuls les administrateurs" in html
    assert coord.post("/paie/politiques", data={"csrf_token": token_of(html), "version": "x",
                                                "effective_from": "2099-01-01"}).status_code == 404
    assert added == []


def test_admin_adds_a_policy_version_and_sees_errors_in_their_language(app, fake):
    added = _payroll(fake)
    admin = signed(app, fake, "admin", "UADMI0001")
    html = text_of(admin.get("/paie"))
    assert "Nouvelle version de la politique" in html and 'for="f-effective_from"' in html
    assert 'value="41,00"' in html   # the form starts from the latest version, as French readers write it
    token = token_of(html)
    bad = admin.post("/paie/politiques", data={"csrf_token": token, "version": "2030 !", "effective_from": "2020-01-01",
                                               "hourly_rate": "abc"})
    text = text_of(bad)
    assert bad.status_code == 400 and 'role="alert"' in text
    assert "Lettres, chiffres" in text and "La date d'entrée en vigueur doit être le" in text
    assert "Montant invalide" in text and added == []
    refused = admin.post("/paie/politiques", data={"csrf_token": token, "version": "2030-01", "effective_from": "2099-01-01",
                                                   "hourly_rate": "0,0001"})
    assert refused.status_code == 400 and "La politique est refusée" in text_of(refused)
    admin.post("/langue", data={"lang": "en", "next": "/paie", "csrf_token": token})
    english = admin.post("/paie/politiques", data={"csrf_token": token, "version": "", "effective_from": "soon"})
    text = text_of(english)
    assert english.status_code == 400 and "This field is required." in text and "Invalid date (YYYY-MM-DD)." in text
    ok = admin.post("/paie/politiques", data={"csrf_token": token, "version": "2030-01", "name": "Hausse",
                                              "effective_from": "2099-01-01", "hourly_rate": "43,50",
                                              "travel_time_paid": "on"})
    assert ok.status_code == 302 and "politique=2030-01" in ok.location
    assert added == [{"version": "2030-01", "name": "Hausse", "effective_from": "2099-01-01", "hourly_rate": "43.50",
                      "travel_time_paid": True, "wait_time_paid": False, "mileage_round_trip": False}]
    assert "2030-01" in text_of(admin.get(ok.location))


# ---- 4. eligibility documents ----------------------------------------------------------------------

def _profiles(fake):
    profiles: dict[str, dict] = {}
    blobs: dict[str, bytes] = {}

    def profile_of(uid):
        a = fake.accounts[uid]
        return profiles.setdefault(uid, {**a, "eligibility_documents": [], "files": [], "inactivity_periods": [],
                                         "notifications": {}, "mobile": "514 555-0101", "phone": None})

    def get_profile(actor, uid):
        if actor["role"] not in ("coordinator", "admin") and actor["user_id"] != uid or uid not in fake.accounts:
            raise NotFound("profile.not_found")
        return profile_of(uid)

    def add_file(actor, uid, fields):
        get_profile(actor, uid)
        file_id = f"f{len(blobs) + 1:031d}"
        blobs[file_id] = base64.b64decode(fields["content_base64"])
        profile_of(uid)["files"].append({"id": file_id, "filename": fields["filename"], "content_type": fields["content_type"],
                                         "size": len(blobs[file_id]), "description": fields.get("description")})
        return profile_of(uid)

    def update(actor, uid, patch):
        get_profile(actor, uid)
        for doc in patch.get("eligibility_documents", []):
            if doc.get("expires_on", "2099-01-01") < "2000-01-01":
                raise ValidationFailed("validation.failed", fields={"eligibility_documents.0.expires_on": ["field.invalid_date"]})
        profile_of(uid).update(patch)
        return profile_of(uid)

    def delete_file(actor, uid, file_id):
        profile_of(uid)["files"] = [f for f in profile_of(uid)["files"] if f["id"] != file_id]
        return profile_of(uid)

    def get_file(actor, uid, file_id):
        meta = next((f for f in get_profile(actor, uid)["files"] if f["id"] == file_id), None)
        if meta is None:
            raise NotFound("profile.file_not_found")
        return {"meta": meta, "content_base64": base64.b64encode(blobs[file_id]).decode()}
    fake.auth__get_profile = get_profile
    fake.auth__add_profile_file = add_file
    fake.auth__update_profile = update
    fake.auth__delete_profile_file = delete_file
    fake.auth__get_profile_file = get_file
    return profiles


def test_interpreter_adds_an_eligibility_document_with_its_file(app, fake):
    profiles = _profiles(fake)
    alice = signed(app, fake, "interpreter", "UBIPN0002")
    html = text_of(alice.get("/profil"))
    assert "Admissibilité au travail" in html and 'enctype="multipart/form-data"' in html
    for name in ("doc_name", "doc_description", "doc_expires_on", "doc_file"):
        assert f'for="f-{name}"' in html and f'id="h-{name}"' in html   # label and help text
    token = token_of(html)
    missing = alice.post("/profil/documents", data={"csrf_token": token, "doc_name": ""},
                         content_type="multipart/form-data")
    text = text_of(missing)
    assert missing.status_code == 400 and "Ce champ est obligatoire." in text and "Choisissez un fichier." in text
    wrong = alice.post("/profil/documents", data={"csrf_token": token, "doc_name": "Permis",
                                                  "doc_file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                       content_type="multipart/form-data")
    assert wrong.status_code == 400 and "PDF, une image JPEG ou PNG" in text_of(wrong)
    refused = alice.post("/profil/documents", data={"csrf_token": token, "doc_name": "Permis", "doc_expires_on": "1999-01-01",
                                                    "doc_file": (io.BytesIO(PDF), "permis.pdf")},
                         content_type="multipart/form-data")
    assert refused.status_code == 400 and profiles["UBIPN0002"]["files"] == []   # the file is removed again
    ok = alice.post("/profil/documents", data={"csrf_token": token, "doc_name": "Permis de travail",
                                               "doc_description": "IMM 1442", "doc_expires_on": "2031-06-30",
                                               "doc_file": (io.BytesIO(PDF), "permis.pdf")},
                    content_type="multipart/form-data")
    assert ok.status_code == 302
    profile = profiles["UBIPN0002"]
    file_id = profile["files"][0]["id"]
    assert profile["eligibility_documents"] == [{"id": file_id, "name": "Permis de travail", "description": "IMM 1442",
                                                 "expires_on": "2031-06-30"}]
    shown = text_of(alice.get("/profil"))
    assert "Permis de travail" in shown and "2031-06-30" in shown and f"/profil/fichiers/{file_id}" in shown
    download = alice.get(f"/profil/fichiers/{file_id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    # Without the CSRF token nothing is added; another interpreter cannot read the file.
    assert alice.post("/profil/documents", data={"doc_name": "X"}, content_type="multipart/form-data").status_code == 400
    bruno = signed(app, fake, "interpreter", "UBIPN0003")
    assert bruno.get(f"/profil/fichiers/{file_id}").status_code == 404
    coord = signed(app, fake, "coordinator", "UCOOR0001")
    assert coord.post("/profil/documents", data={"csrf_token": csrf_of(coord, "/profil")},
                      content_type="multipart/form-data").status_code == 404
    # Coordinators open the file from the interpreters' list; interpreters cannot use that route.
    fake.auth__list_profiles = lambda actor, query: {"items": list(profiles.values()), "total": len(profiles)}
    link = f"/interpretes/UBIPN0002/fichiers/{file_id}"
    assert link in text_of(coord.get("/interpretes"))
    opened = coord.get(link)
    assert opened.status_code == 200 and opened.data == PDF
    assert alice.get(link).status_code in (403, 404) and bruno.get(link).status_code in (403, 404)


# ---- 5. billing export -----------------------------------------------------------------------------

def test_billing_export_of_a_period_for_coordinators_only(app, fake):
    _payroll(fake)
    seen = []

    def billing(actor, period):
        if actor["role"] not in ("coordinator", "admin"):
            raise Forbidden("payroll.forbidden")
        seen.append(period)
        amounts = {k: "10.00" for k in ("demande", "distance", "travel_time", "phone_communications", "words",
                                         "other_fees", "extra_fees", "subtotal", "gst", "qst", "total")}
        return {"period": {"id": period}, "totals": dict(amounts, total="20.00"),
                "items": [dict(amounts, establishment="HC", cost_center="7301110", cost_center_description="=SUM(A1)",
                               bookings=3),
                          dict(amounts, establishment="CIUSSS", cost_center="+1", cost_center_description="Unité d'hémato-oncologie",
                               bookings=1)]}
    fake.payroll__billing = billing
    coord = signed(app, fake, "coordinator", "UCOOR0001")
    html = text_of(coord.get("/paie"))
    assert 'href="/paie/2030-01-05/facturation.csv"' in html and "Facturation par établissement" in html
    resp = coord.get("/paie/2030-01-05/facturation.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="facturation-2030-01-05.csv"' in resp.headers["Content-Disposition"]
    assert resp.get_data().startswith("\ufeffestablishment".encode("utf-8"))   # UTF-8 with BOM: Excel reads accents
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["establishment", "cost_center", "cost_center_description", "bookings"]
    assert rows[1][:4] == ["HC", "7301110", "'=SUM(A1)", "3"]     # no spreadsheet formula
    assert rows[2][:4] == ["CIUSSS", "'+1", "Unité d'hémato-oncologie", "1"]
    assert rows[-1][0] == "TOTAL" and rows[-1][3] == "4" and rows[-1][-1] == "20.00"
    assert seen == ["2030-01-05"]
    assert coord.get("/paie/nope/facturation.csv").status_code == 404
    alice = signed(app, fake, "interpreter", "UBIPN0002")
    assert alice.get("/paie/2030-01-05/facturation.csv").status_code == 404
    assert seen == ["2030-01-05"]


# ---- 6. who was assigned ---------------------------------------------------------------------------

def test_requester_sees_the_assigned_interpreter_by_name_with_contacts(app, fake):
    _profiles(fake)
    fake.add_account("interpreter", user_id="UBIPN0002", first_name="Alice", last_name="Tremblay",
                     email="alice@example.org", mobile="514 555-0199")
    requester = signed(app, fake, "requester", "UREQU0001", establishment="HC")
    actor = {"user_id": "UREQU0001", "role": "requester", "establishment": "HC"}
    booking = fake.call("booking", "create_booking", actor, {"source_language": "Français", "target_language": "Hongrois",
                                                              "mode": "phone", "date": "2030-01-07", "start_time": "09:00",
                                                              "duration_minutes": 60})
    pending = text_of(requester.get(f"/reservations/{booking['id']}"))
    assert "Aucun pour l'instant" in pending
    fake.bookings[booking["id"]].update(status="booked", assigned_interpreter_id="UBIPN0002")
    fake.accounts["UBIPN0002"]["mobile"] = "514 555-0199"
    html = text_of(requester.get(f"/reservations/{booking['id']}"))
    assigned = re.search(r'<dd id="assigned">(.*?)</dd>', html, re.S).group(1)
    assert "Alice Tremblay" in assigned and 'href="mailto:alice@example.org"' in assigned
    assert "Pour le joindre" in assigned and "tel:" in assigned
    # Another establishment's requester: the booking does not exist for them, nor the interpreter's name.
    other = signed(app, fake, "requester", "UREQU0009", establishment="XX")
    resp = other.get(f"/reservations/{booking['id']}")
    assert resp.status_code == 404 and "Alice" not in text_of(resp)
    coord = signed(app, fake, "coordinator", "UCOOR0001")
    assert "Alice Tremblay" in text_of(coord.get(f"/reservations/{booking['id']}"))


def test_a_file_over_the_request_limit_gets_a_page_in_the_users_language(app, fake):
    _profiles(fake)
    alice = signed(app, fake, "interpreter", "UBIPN0002")
    token = token_of(text_of(alice.get("/profil")))
    huge = (io.BytesIO(b"%PDF" + b"0" * (16 * 2**20)), "enorme.pdf")
    resp = alice.post("/profil/documents", data={"csrf_token": token, "doc_name": "Permis", "doc_file": huge},
                      content_type="multipart/form-data")
    assert resp.status_code == 413 and resp.mimetype == "text/html"
    assert "Le fichier est trop volumineux : 15 Mo au plus." in text_of(resp)

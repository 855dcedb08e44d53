"""`make demo`: loads realistic demo data into a running system through its HTTP API.

Establishments and facilities, one requester per establishment, ~50 interpreters, and a few weeks
of bookings (three weeks back, three ahead) in every status. Demo accounts share one password,
printed at the end. Run it against `make run` (PORT picks the port; the first coordinator's login is
read from the data folder).
"""
from __future__ import annotations

import os
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ims_common import config  # noqa: E402

MONTREAL = ZoneInfo("America/Montreal")
DEMO_PASSWORD = "Demo-Banque-Interpretes-2024!"
GIVEN_PASSWORD = "Donne-Par-La-Banque-2024!"   # the coordinator's; each person replaces it at first sign-in
# Establishments, facilities and cost centres of the reference service's default set
# (services/reference/data/): a booking naming anything else is refused.
ESTABLISHMENTS = {
    "HC": ("CIUSSS de l'Est-de-l'Île-de-Montréal", ["HC-HMR", "HC-HSC"],
           ("7301120", "DA services multidisciplinaires - volet opérations")),
    "CD": ("CIUSSS de la Capitale-Nationale", ["CD-HAMEL", "CD-HJH"],
           ("7301110", "BPUE (Bureau du partenariat avec l'utilisateur et de l'éthique)")),
    "CODIM": ("CIUSSS du Centre-Ouest-de-l'Île-de-Montréal", ["CODIM-HGJ", "CODIM-CDN"],
              ("6402200", "Santé mentale jeunesse")),
    "AT": ("CISSS de l'Abitibi-Témiscamingue", ["AT-HRN", "AT-HVD"], ("8101300", "Périnatalité")),
    "MO": ("CISSS de la Montérégie-Ouest", ["MO-HAL", "MO-HS"], ("1605400", "Protection de la jeunesse (DPJ)")),
}
LANGUAGES = ["Arabe", "Espagnol", "Mandarin", "Cantonais", "Farsi (persan)", "Dari", "Pachto", "Tigrigna",
             "Swahili", "Hongrois", "Arménien", "Allemand", "Russe", "Ukrainien", "Vietnamien", "Tamoul",
             "Pendjabi", "Ourdou", "Créole haïtien", "Portugais", "Roumain", "Turc", "Kurde", "Somali",
             "Amharique", "Népalais", "Bengali", "Coréen", "Lingala", "Kinyarwanda",
             "Langue des signes québécoise (LSQ)"]
FIRST = ["Amina", "Bashir", "Camila", "Dmytro", "Elena", "Farid", "Gabriela", "Hamid", "Ines", "Jamal",
         "Katarina", "Lin", "Mariam", "Nguyen", "Olga", "Parisa", "Qadir", "Rosa", "Samir", "Tigist",
         "Uriel", "Valentina", "Wei", "Ximena", "Yasmin", "Zoltan"]
LAST = ["Haddad", "Nazari", "Morales", "Kovalenko", "Petrova", "Rahimi", "Silva", "Karimi", "Benali",
        "Okafor", "Horvath", "Chen", "Abebe", "Tran", "Ivanova", "Sadeghi", "Popescu", "Yilmaz", "Diallo"]
CONTEXTS = ["Santé physique", "Santé mentale", "Protection de la jeunesse (DPJ)", "Violence conjugale",
            "Périnatalité et obstétrique", "Réadaptation"]
MODES = ["in_person"] * 5 + ["video"] * 3 + ["phone"] * 3 + ["message_transmission", "document_translation"]


class Api:
    def __init__(self, base: str, token: str):
        self.base, self.session = base + "/api/v1", requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict) -> dict:
        resp = self.session.post(self.base + path, json=body, timeout=30)
        if resp.status_code >= 400:
            raise RuntimeError(f"POST {path}: {resp.status_code} {resp.text}")
        return resp.json()

    def send(self, method: str, path: str, body: dict | None = None) -> dict:
        resp = self.session.request(method, self.base + path, json=body, timeout=30)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text}")
        return resp.json()


def login(base: str, identifier: str, password: str) -> Api:
    resp = requests.post(base + "/api/v1/auth/login", json={"identifier": identifier, "password": password},
                         timeout=30)
    resp.raise_for_status()
    return Api(base, resp.json()["access_token"])


def account(coord: Api, base: str, **fields) -> tuple[str, Api]:
    """Creates the account, or reuses it when a previous demo run made it."""
    try:
        created = coord.post("/accounts", dict(fields, password=GIVEN_PASSWORD))
        identifier = created["user_id"]
        first = login(base, identifier, GIVEN_PASSWORD)
        first.post("/auth/password", {"current_password": GIVEN_PASSWORD, "new_password": DEMO_PASSWORD,
                                      "confirm_password": DEMO_PASSWORD})
    except RuntimeError as exc:
        if "email" not in str(exc):
            raise
        identifier = fields["email"]
    return identifier, login(base, identifier, DEMO_PASSWORD)


def booking_fields(rng: random.Random, code: str, day: date) -> dict:
    name, facilities, (cost_center, cost_description) = ESTABLISHMENTS[code]
    mode = rng.choice(MODES)
    fields = {"source_language": "Français", "target_language": rng.choice(LANGUAGES), "mode": mode,
              "context": rng.choice(CONTEXTS), "establishment": code, "facility": rng.choice(facilities),
              "cost_center": cost_center, "cost_center_description": cost_description,
              "requester_name": f"Dre {rng.choice(LAST)}", "requester_phone": "514 555-0199",
              "note_to_interpreter": "Merci de confirmer avec le demandeur."}
    if mode in ("message_transmission", "document_translation"):
        fields["due_date"] = day.isoformat()
    else:
        fields.update(date=day.isoformat(), start_time=f"{rng.randint(8, 15):02d}:{rng.choice(['00', '30'])}",
                      duration_minutes=rng.choice([60, 90, 120, 150, 180]))
    if mode == "in_person":
        fields["appointment_location"] = rng.choice(["Clinique externe", "Visite à domicile", "Urgence"])
    if mode == "video":
        fields.update(video_platform="Teams",
                      video_link="https://teams.example.org/rdv/" + str(rng.randint(1000, 9999)))
    return fields


def report_for(booking: dict) -> dict:
    start = datetime.fromisoformat(booking["start_at"].replace("Z", "+00:00"))
    end = min(datetime.fromisoformat(booking["end_at"].replace("Z", "+00:00")), datetime.now(timezone.utc))
    return {"provided": True, "actual_start": start.isoformat(), "actual_end": end.isoformat(),
            "wait_minutes": 0, "distance_km": "0", "travel_minutes": 0, "communications": [],
            "words": 0, "other_fees_cents": 0, "additional_service": False, "comments": ""}


def main() -> int:
    base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    creds = config.data_dir() / "first-coordinator.txt"
    if not creds.exists():
        sys.exit(f"No {creds}: start the system with `make run` first.")
    email, password = creds.read_text().split("\n")[:2]
    try:
        coord = login(base, email, password)
    except requests.RequestException as exc:
        sys.exit(f"The system does not answer on {base} ({exc}): start it with `make run`.")
    rng = random.Random(2024)
    requesters = {code: account(coord, base, email=f"demandeur.{code.lower()}@example.org", first_name="Demandeur",
                                last_name=code, role="requester", establishment=code)[1]
                  for code in ESTABLISHMENTS}
    interpreters = [account(coord, base, email=f"interprete{i:02d}@example.org", first_name=FIRST[i % len(FIRST)],
                            last_name=LAST[(i * 7) % len(LAST)], role="interpreter",
                            display_language=rng.choice(["fr", "fr", "en"]))
                    for i in range(50)]
    today = datetime.now(MONTREAL).date()
    load_profiles(rng, coord, requesters, interpreters, today)
    counts: dict[str, int] = {}
    for offset in range(-21, 22):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.randint(2, 5)):
            code = rng.choice(list(ESTABLISHMENTS))
            author = requesters[code] if offset >= 0 else coord
            booking = author.post("/bookings", booking_fields(rng, code, day))
            status = advance(rng, coord, requesters[code], interpreters, booking, past=offset < 0)
            counts[status] = counts.get(status, 0) + 1
    print("Demo data loaded:", ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    print(f"Demo accounts (password {DEMO_PASSWORD}): demandeur.<code>@example.org for "
          f"{', '.join(ESTABLISHMENTS)}; interprete00@example.org … interprete49@example.org")
    return 0


REGIONS = {"HC": "06-Montréal", "CD": "03-Capitale-Nationale", "CODIM": "06-Montréal",
           "AT": "08-Abitibi-Témiscamingue", "MO": "16-Montérégie"}
POSTAL = {"06-Montréal": "H1T 2M4", "03-Capitale-Nationale": "G1J 1Z4", "08-Abitibi-Témiscamingue": "J9X 2B2",
          "16-Montérégie": "J4V 2H1"}
REQUEST_TYPES = ["in_person", "phone", "video", "message_transmission", "professional_service",
                 "document_translation"]


def load_profiles(rng: random.Random, coord: Api, requesters: dict, interpreters: list, today: date) -> None:
    """Profiles (services/auth/app/profiles.py): what interpreters enter themselves, then what only the
    bank enters (language pairs, contexts, financial record, documents that lock the account)."""
    for code, requester in requesters.items():
        _, facilities, (cost_code, cost_label) = ESTABLISHMENTS[code]
        requester.send("PATCH", "/me/profile", {"facility": facilities[0], "phone": "514 555-0199",
                                                "cost_centers": [{"code": cost_code, "description": cost_label}],
                                                "current_password": DEMO_PASSWORD})   # a phone: step-up
    for i, (_, interpreter) in enumerate(interpreters):
        region = REGIONS[rng.choice(list(REGIONS))]
        user_id = interpreter.send("PATCH", "/me/profile", {
            "mobile": f"514 555 {1000 + i:04d}", "current_password": DEMO_PASSWORD, "region": region,
            "country": "Canada",
            "address": f"{100 + i} rue Principale", "postal_code": POSTAL[region],
            "work_region_postal_code": POSTAL[region], "gender": rng.choice(["female", "male", "unspecified"]),
            "request_types": sorted(rng.sample(REQUEST_TYPES, rng.randint(2, 5))),
            "availability": {"always": i % 3 != 0, "slots": [] if i % 3 else [
                {"weekday": d, "start": "08:00", "end": "17:00"} for d in range(5)]},
        })["user_id"]
        targets = rng.sample(LANGUAGES, rng.randint(1, 4))
        staff = {"language_pairs": [{"source": rng.choice(["Français", "Français", "Anglais"]), "target": t,
                                     "country": None} for t in targets],
                 "contexts": rng.sample(CONTEXTS, rng.randint(1, 3)),
                 "financial": {"supplier_number": f"F{user_id}", "gst_registered": i % 4 == 0,
                               "gst_number": f"{123456780 + i:09d}RT0001" if i % 4 == 0 else None,
                               "gst_from": "2024-01-01" if i % 4 == 0 else None}}
        if i % 8 == 0:   # a few work permits: one expiring soon, some later
            staff["eligibility_documents"] = [{"name": "Permis de travail / d'étude", "inactive_if_invalid": True,
                                               "expires_on": (today + timedelta(days=20 if i == 0 else 200 + i)
                                                              ).isoformat()}]
        coord.send("PATCH", f"/profiles/{user_id}", staff)


def advance(rng, coord: Api, requester: Api, interpreters, booking: dict, past: bool) -> str:
    """Moves a new booking along its lifecycle to a status typical of its date."""
    bid = booking["id"]
    chosen = rng.sample(interpreters, 3)
    roll = rng.random()
    if not past and roll < 0.3:
        if roll < 0.15:
            coord.post(f"/bookings/{bid}/offer", {"interpreter_ids": [i for i, _ in chosen]})
            chosen[1][1].post(f"/bookings/{bid}/decline", {"reason": "Non disponible"})
        return "pending"
    coord.post(f"/bookings/{bid}/offer", {"interpreter_ids": [i for i, _ in chosen]})
    booking = chosen[0][1].post(f"/bookings/{bid}/accept", {})
    if not past:
        if roll < 0.45:
            requester.post(f"/bookings/{bid}/modify", {"note_to_interpreter": "Le rendez-vous a changé de salle."})
            return "modified"
        if roll < 0.55:
            requester.post(f"/bookings/{bid}/cancel", {"reason": "Rendez-vous reporté"})
            return "cancelled"
        return "booked"
    if roll < 0.1:
        coord.post(f"/bookings/{bid}/cancel", {"reason": "Usager absent"})
        return "cancelled"
    chosen[0][1].post(f"/bookings/{bid}/report", report_for(booking))
    if roll < 0.4:
        return "service_provided"
    coord.post(f"/bookings/{bid}/close", {"comment": "Validé"})
    return "closed"


if __name__ == "__main__":
    sys.exit(main())

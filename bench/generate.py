"""History for the benchmarks, loaded through the real event store by the booking application
(BookingApp with a clock set in the past): each booking is created, offered, accepted, reported and
closed (or cancelled), so five events on average.

    python -m bench.generate --data DIR [--scale default|full]

full = five years: ~400,000 bookings (~4 million events with modifications), 400 interpreters,
90 languages (hours on a laptop). default = a few thousand bookings (a minute or two)."""
from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ims_common.nameko_ext import Stores
from services.booking.app import BookingApp

SCALES = {"default": {"bookings": 1000, "days": 20}, "full": {"bookings": 400_000, "days": 5 * 365}}
INTERPRETERS = [f"UBIBN{n:04d}" for n in range(1, 401)]
LANGUAGES = [f"Langue {n}" for n in range(1, 91)]
ESTABLISHMENTS = ["HC", "CHUM", "CUSM", "CIUSSS", "CISSSL", "HMR", "JGH", "CHUS"]
COORD = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}


def generate(data: Path, scale: str = "default", seed: int = 9) -> dict:
    spec = SCALES[scale]
    rng = random.Random(seed)
    stores = Stores(f"sqlite:///{data / 'booking.sqlite3'}")
    clock_now = [datetime(2020, 1, 1, 13, tzinfo=timezone.utc)]
    app = BookingApp(stores.event_store, stores.doc_store, stores.blob_store, clock=lambda: clock_now[0])
    per_day = max(1, spec["bookings"] // spec["days"])
    started = time.perf_counter()
    made = 0
    for day in range(spec["days"]):
        base = datetime(2020, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=day)
        for i in range(per_day):
            clock_now[0] = base
            appointment = base + timedelta(hours=1 + (i % 6))
            local = appointment - timedelta(hours=5)
            fields = {"source_language": "Français", "target_language": rng.choice(LANGUAGES),
                      "mode": rng.choice(["phone", "video", "in_person"]),
                      "establishment": ESTABLISHMENTS[i % len(ESTABLISHMENTS)],
                      "date": local.date().isoformat(), "start_time": local.strftime("%H:%M"),
                      "duration_minutes": rng.choice([60, 90, 120]), "facility": "Hôpital"}
            booking = app.create_booking(COORD, fields)
            bid = booking["id"]
            interpreter = {"user_id": rng.choice(INTERPRETERS), "role": "interpreter", "name": "I"}
            app.execute(COORD, bid, "offer", {"interpreter_ids": [interpreter["user_id"]]})
            if rng.random() < 0.1:
                app.execute(COORD, bid, "cancel", {"reason": "Usager absent"})
            else:
                app.execute(interpreter, bid, "accept", {})
                clock_now[0] = appointment + timedelta(hours=3)
                start = datetime.fromisoformat(booking["start_at"].replace("Z", "+00:00"))
                app.execute(interpreter, bid, "report", {
                    "provided": True, "actual_start": start.isoformat(),
                    "actual_end": (start + timedelta(minutes=60)).isoformat(), "wait_minutes": 0,
                    "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
                    "other_fees_cents": 0, "additional_service": False, "comments": "RAS"})
                app.execute(COORD, bid, "close", {"comment": "Conforme"})
            made += 1
    events = stores.event_store.last_position()
    stores.close()
    return {"bookings": made, "events": events, "seconds": time.perf_counter() - started}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bench.generate")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    print(generate(args.data, args.scale))


if __name__ == "__main__":
    main()

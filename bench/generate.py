"""History for the benchmarks: bookings lived through the real booking domain (prepare_create,
decide, evolve: the rules BookingApp applies), wrapped in BookingApp's envelopes and appended through
the real event store, many commands per transaction (EventStore.append_many, with the same version
checks as one append each); the read model is then built by the batched rebuild.

    python -m bench.generate --data DIR [--scale default|full]

full = five years: ~400,000 bookings, ~4 million events, 400 interpreters, 90 languages.
default = 12,000 bookings (~110,000 events). Each booking goes through a mix of what happens in the
office (about ten events on average): modifications, offer rounds and declines, offers withdrawn
when one accepts, unfilled flags, withdrawals (some after billable communications) and new offers,
cancellations (some reported as late), reports (some with a communication), receipts, reports
sent back and corrected, report corrections, closing. Events of bookings in progress interleave in
time order, as they would in the store of a running service."""
from __future__ import annotations

import argparse
import base64
import heapq
import random
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ims_common.nameko_ext import Stores
from services.booking.app import NUMBER_HINTS, BookingApp
from services.booking.domain import events as ev
from services.booking.domain import numbering
from services.booking.domain.booking import created_event, decide, prepare_create

SCALES = {"default": {"bookings": 12_000, "days": 60}, "full": {"bookings": 400_000, "days": 5 * 365}}
INTERPRETERS = [f"UBIBN{n:04d}" for n in range(1, 401)]
LANGUAGES = [f"Langue {n}" for n in range(1, 91)]
ESTABLISHMENTS = ["HC", "CHUM", "CUSM", "CIUSSS", "CISSSL", "HMR", "JGH", "CHUS"]
COORD = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
SYSTEM = {"user_id": "system", "role": "system"}
RECEIPT = {"filename": "recu.pdf", "content_type": "application/pdf", "description": "Stationnement",
           "content_base64": base64.b64encode(b"%PDF-1.4\n% receipt\n%%EOF\n").decode()}
APPEND_BATCH = 5000        # commands per append_many transaction


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


class _Life:
    """One booking's stream: decide each command on its current state, as BookingApp.execute
    does, and keep the envelopes to append (each command's events are one append)."""

    def __init__(self, actor, fields, now, number_for, blobs):
        prefix, data = prepare_create(actor, fields, now)
        self.number = number_for(prefix, now)
        self.stream = numbering.stream_id(self.number)
        self.state = None
        self.version = 0
        self.commands: list[tuple[str, str, int, list]] = []   # (occurred_at, stream, expected, events)
        self.blobs = blobs
        self._record(actor, [created_event(self.number, data)], now)

    def _record(self, actor, events, now):
        envelopes = [BookingApp._envelope(actor, e, now) for e in events]
        self.commands.append((_iso(now), self.stream, self.version, envelopes))
        for e in envelopes:
            self.version += 1
            self.state = ev.evolve_in_place(self.state, e.type, e.data, actor=e.actor, occurred_at=e.occurred_at,
                                            version=self.version)  # the state is ours alone

    def do(self, actor, command, payload, now) -> None:
        decision = decide(self.state, actor, command, payload, now, self.number)
        if decision.blob:
            self.blobs.append(decision.blob)
        if decision.events:
            self._record(actor, decision.events, now)


def _live(rng: random.Random, day: datetime, i: int, number_for, blobs) -> _Life:
    """A booking created on `day` and everything that happens to it."""
    created = day + timedelta(hours=13, minutes=rng.randrange(0, 360), seconds=rng.randrange(60))
    appointment = (day + timedelta(days=rng.randrange(2, 21))).replace(hour=12 + rng.randrange(0, 8),
                                                                        minute=rng.choice([0, 30]))
    local = appointment - timedelta(hours=5)
    establishment = ESTABLISHMENTS[i % len(ESTABLISHMENTS)]
    fields = {"source_language": "Français", "target_language": rng.choice(LANGUAGES),
              "mode": rng.choice(["phone", "video", "in_person"]), "establishment": establishment,
              "date": local.date().isoformat(), "start_time": local.strftime("%H:%M"),
              "duration_minutes": rng.choice([60, 90, 120]), "facility": "Hôpital"}
    requester = {"user_id": f"UREQ{rng.randrange(1, 2000):04d}", "role": "requester",
                 "establishment": establishment, "name": "Demandeur"}
    author = requester if rng.random() < 0.6 else COORD
    life = _Life(author, fields, created, number_for, blobs)
    t = created

    def later(**delta):
        nonlocal t
        t = t + timedelta(**delta)
        return t

    if rng.random() < 0.2:
        life.do(author, "modify", {"duration_minutes": rng.choice([60, 90, 120, 180])}, later(minutes=20))
    rounds = rng.choice([1, 1, 2, 2, 3])
    pool = rng.sample(INTERPRETERS, 9)
    for r in range(rounds):
        offered = pool[3 * r:3 * r + 3]
        life.do(COORD, "offer", {"interpreter_ids": offered}, later(hours=1))
        if r < rounds - 1:
            for uid in offered[:rng.choice([1, 2, 3])]:
                life.do({"user_id": uid, "role": "interpreter"}, "decline", {"reason": "Indisponible"},
                        later(minutes=30))
    if rng.random() < 0.15:
        life.do(SYSTEM, "flag-unfilled", {"hours_before": 48}, later(hours=2))
    if rng.random() < 0.07:
        life.do(author, "cancel", {"reason": "Rendez-vous annulé"}, later(hours=3))
        return life
    interpreter = {"user_id": rng.choice(pool[3 * (rounds - 1):3 * rounds]), "role": "interpreter"}
    if rng.random() < 0.1:       # assigned by the bank rather than accepted
        life.do(COORD, "assign", {"interpreter_id": interpreter["user_id"]}, later(hours=1))
    else:
        life.do(interpreter, "accept", {}, later(hours=1))  # + OffersWithdrawn for the others
    if rng.random() < 0.1:       # the bank takes them off it and offers again
        made = [{"at": _iso(t + timedelta(hours=h)), "purpose": "Confirmation du rendez-vous"}
                for h in range(1, rng.choice([1, 2, 3]))]    # paid to the withdrawn one only
        life.do(COORD, "withdraw", {"reason": "Conflit d'horaire", "communications": made}, later(hours=5))
        others = [u for u in rng.sample(INTERPRETERS, 3) if u != interpreter["user_id"]]
        life.do(COORD, "offer", {"interpreter_ids": others}, later(hours=1))
        interpreter = {"user_id": others[0], "role": "interpreter"}
        life.do(interpreter, "accept", {}, later(hours=1))
    if rng.random() < 0.2:       # a change after booking; the interpreter confirms it
        life.do(author, "modify", {"facility": "Clinique externe"}, later(hours=6))
        life.do(interpreter, "accept", {}, later(hours=2))
    start = datetime.fromisoformat(life.state["start_at"].replace("Z", "+00:00"))
    if rng.random() < 0.05:      # cancelled late: the interpreter reports it (not provided)
        cancel_at = min(start - timedelta(hours=3), max(t, start - timedelta(hours=20)))
        t = max(t, cancel_at)
        life.do(COORD, "cancel", {"reason": "Usager absent"}, later(minutes=1))
        life.do(interpreter, "report", {
            "provided": False, "reason": "Annulation tardive", "detailed_reason": "Usager absent",
            "cancelled_at": start.isoformat(), "wait_minutes": 0, "distance_km": "0", "travel_minutes": 0,
            "words": 0, "other_fees_cents": 0, "comments": None, "communications": []},
            max(t, start) + timedelta(hours=2))
        return life
    t = max(t, start)
    end = start + timedelta(minutes=life.state["duration_minutes"])
    calls = [{"at": _iso(start - timedelta(days=1)), "purpose": "Rappel"}] if rng.random() < 0.2 else []
    report = {"provided": True, "actual_start": start.isoformat(), "actual_end": end.isoformat(),
              "wait_minutes": rng.choice([0, 0, 10]), "distance_km": rng.choice(["0", "12.5"]),
              "travel_minutes": rng.choice([0, 20]), "communications": calls, "words": 0,
              "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}
    life.do(interpreter, "report", report, end + timedelta(hours=1))
    t = end + timedelta(hours=1)
    if rng.random() < 0.03:
        life.do(interpreter, "attachments", RECEIPT, later(minutes=10))
    if rng.random() < 0.03:      # the bank sends the report back; its interpreter corrects it
        life.do(COORD, "return-report", {"comment": "Précisez le temps d'attente"}, later(hours=20))
        life.do(interpreter, "correct-report", dict(report, wait_minutes=0), later(hours=3))
    if rng.random() < 0.2:
        life.do(COORD, "correct-report", dict(report, wait_minutes=15), later(days=1))
    life.do(COORD, "close", {"comment": "Conforme"}, later(days=2))
    return life


FIRST_DAY = datetime(2020, 1, 1, tzinfo=timezone.utc)


def generate(data: Path, scale: str = "default", seed: int = 9, rebuild: bool = True,
             bookings: int | None = None, days: int | None = None, first: datetime = FIRST_DAY) -> dict:
    """`first`: the day the history starts (UTC midnight)."""
    spec = dict(SCALES[scale])
    spec.update({k: v for k, v in (("bookings", bookings), ("days", days)) if v})
    rng = random.Random(seed)
    stores = Stores(f"sqlite:///{data / 'booking.sqlite3'}")
    store = stores.event_store
    sequences: dict[str, int] = {}

    def number_for(prefix, now):
        day = numbering.day_key(prefix, now)
        sequences[day] = sequences.get(day, 0) + 1
        return numbering.number(prefix, now, sequences[day])

    started = time.perf_counter()
    pending: list = []          # heap of commands not yet appended, by time
    batch: list = []
    blobs: list = []
    made, order = 0, 0
    busy: Counter = Counter()     # (interpreter, month of the appointment) -> bookings
    per_day, extra = divmod(spec["bookings"], spec["days"])

    def flush():
        if batch:
            store.append_many(batch)
            batch.clear()
        for key, content, content_type in blobs:
            stores.blob_store.put(key, content, content_type)
        blobs.clear()

    for day_index in range(spec["days"]):
        day = first + timedelta(days=day_index)
        for i in range(per_day + (1 if day_index < extra else 0)):
            life = _live(rng, day, i, number_for, blobs)
            for command in life.commands:
                heapq.heappush(pending, (command[0], order, command[1:]))
                order += 1
            made += 1
            if life.state.get("assigned_interpreter_id"):
                busy[(life.state["assigned_interpreter_id"], life.state["start_at"][:7])] += 1
        # Whatever happens before tomorrow is final: later bookings only add events from tomorrow on.
        horizon = _iso(day + timedelta(days=1))
        while pending and pending[0][0] < horizon:
            batch.append(heapq.heappop(pending)[2])
            if len(batch) >= APPEND_BATCH:
                flush()
    while pending:
        batch.append(heapq.heappop(pending)[2])
        if len(batch) >= APPEND_BATCH:
            flush()
    flush()
    stores.doc_store.put_many(NUMBER_HINTS, [(day, {"next": n + 1}) for day, n in sequences.items()])
    appended = time.perf_counter() - started
    events = store.last_position()
    # History long since published: a service started on this store has no outbox to drain (its
    # relay would otherwise publish years of events, each emptying every gateway's list cache).
    for first_position in range(1, events + 1, 50_000):
        store.mark_published(range(first_position, min(first_position + 50_000, events + 1)))
    (interpreter, month), _ = busy.most_common(1)[0]
    result = {"bookings": made, "events": events, "append_seconds": appended, "busiest_interpreter": interpreter,
              "busiest_month": month}
    if rebuild:
        t = time.perf_counter()
        BookingApp(store, stores.doc_store, stores.blob_store).rebuild_read_models()
        result["rebuild_seconds"] = time.perf_counter() - t
    stores.close()
    result["seconds"] = time.perf_counter() - started
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bench.generate")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--bookings", type=int, help="override the scale's number of bookings")
    parser.add_argument("--no-rebuild", action="store_true", help="leave the read model unbuilt")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    print(generate(args.data, args.scale, rebuild=not args.no_rebuild, bookings=args.bookings))


if __name__ == "__main__":
    main()

"""Given events / when command / then events, for the booking domain (no I/O)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from services.booking.domain import events as ev
from services.booking.domain.booking import created_event, decide, prepare_create

# 2024-08-27 10:00 in Montreal (EDT, UTC-4) = 14:00 UTC; day 240 of 2024.
NOW = datetime(2024, 8, 27, 14, 0, tzinfo=timezone.utc)
REQUESTER = {"user_id": "UREQ0001", "role": "requester", "establishment": "HC", "name": "Rita Demandeuse"}
OTHER_REQUESTER = {"user_id": "UREQ0002", "role": "requester", "establishment": "CHUM"}
COORD = {"user_id": "UBICO0001", "role": "coordinator"}
ADMIN = {"user_id": "UADM0001", "role": "admin"}
ALICE = {"user_id": "UBIPN0001", "role": "interpreter"}
BRUNO = {"user_id": "UBIPN0002", "role": "interpreter"}
CLARA = {"user_id": "UBIPN0003", "role": "interpreter"}

FIELDS = {"source_language": "Français", "target_language": "Hongrois", "mode": "in_person",
          "context": "Santé physique", "facility": "Hôpital Maisonneuve-Rosemont",
          "date": "2024-09-03", "start_time": "09:30", "duration_minutes": 120,
          "requester_phone": "514 555-0101", "video_secret": "1234"}
START = datetime(2024, 9, 3, 13, 30, tzinfo=timezone.utc)   # 09:30 EDT


@dataclass(frozen=True)
class Recorded:
    type: str
    data: dict
    actor: dict
    occurred_at: str
    stream_version: int


class Booking:
    """A booking's stream in memory: `given` folds events, `when` decides and records them."""

    def __init__(self, fields: dict | None = None, actor: dict = REQUESTER, now: datetime = NOW,
                 number: str = "HC-24240001"):
        prefix, data = prepare_create(actor, dict(FIELDS, **(fields or {})), now)
        self.events: list[Recorded] = []
        self.state = None
        self._record(created_event(number, data), actor, now)

    def _record(self, event, actor, now):
        rec = Recorded(event.type, event.data, {"user_id": actor["user_id"], "role": actor["role"]},
                       now.isoformat().replace("+00:00", "Z"), len(self.events) + 1)
        self.events.append(rec)
        self.state = ev.fold([rec], self.state)

    def when(self, actor: dict, command: str, payload: dict | None = None, now: datetime = NOW):
        """Decide and record; returns [(type, data)] of the new events."""
        decision = decide(self.state, actor, command, payload or {}, now, self.state["id"])
        for event in decision.events:
            self._record(event, actor, now)
        self.last_decision = decision
        return [(e.type, e.data) for e in decision.events]

    def given(self, *steps):
        """steps: (actor, command, payload) applied in order; each must succeed."""
        for actor, command, payload in steps:
            self.when(actor, command, payload, now=NOW)
        return self

    @property
    def status(self) -> str:
        return self.state["status"]


def offered(*interpreters) -> tuple:
    return (COORD, "offer", {"interpreter_ids": [i["user_id"] for i in interpreters]})


def accepted(interpreter) -> tuple:
    return (interpreter, "accept", {})


def provided_report(**overrides) -> dict:
    report = {"provided": True, "actual_start": "2024-09-03T09:30:00-04:00",
              "actual_end": "2024-09-03T11:30:00-04:00", "wait_minutes": 0, "distance_km": "12.5",
              "travel_minutes": 20, "communications": [], "words": 0, "other_fees_cents": 0,
              "additional_service": False, "comments": "RAS"}
    report.update(overrides)
    return report


def not_provided_report(**overrides) -> dict:
    report = {"provided": False, "reason": "Annulation tardive", "detailed_reason": "Usager absent",
              "cancelled_at": "2024-08-27T09:00:00-04:00", "wait_minutes": 0, "distance_km": "0",
              "travel_minutes": 0, "words": 0, "other_fees_cents": 0, "comments": None,
              "communications": [{"at": "2024-08-26T14:10:00-04:00", "purpose": "Confirmation du rendez-vous"}]}
    report.update(overrides)
    return report


AFTER_START = START + timedelta(minutes=1)
AFTER_END = START + timedelta(hours=2, minutes=1)   # the default provided report's service is over

"""What one booking pays, and to whom: the subjects of remuneration of a booking's current state
(booking's contract fold).

- The assigned interpreter (or the one who reported, on a cancelled booking) is paid once the
  service is reported, or once the booking is cancelled or closed.
- Each interpreter who gave the booking back after making billable communications is paid those
  communications only, never the service fee (DESIGN.md section 2): priced as a booking still
  pending, with the communications as the whole report.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    key: str                 # "<booking>:<interpreter>" or "<booking>:<interpreter>:w<n>"
    interpreter_id: str
    booking: dict            # the booking as priced
    report: dict | None
    cancelled_at: str | None
    withdrawal: bool


def subjects(booking: dict) -> list[Subject]:
    out = []
    interpreter = booking.get("assigned_interpreter_id") or booking.get("reported_by")
    if interpreter and (booking.get("report") is not None or booking.get("status") in ("cancelled", "closed")):
        out.append(Subject(f"{booking['id']}:{interpreter}", interpreter, booking, booking.get("report"),
                           booking.get("cancelled_at"), withdrawal=False))
    for n, w in enumerate(booking.get("withdrawals") or [], start=1):
        if w.get("communications"):
            priced = dict(booking, status="pending", cancelled_at=None)
            out.append(Subject(f"{booking['id']}:{w['interpreter_id']}:w{n}", w["interpreter_id"], priced,
                               {"communications": w["communications"]}, w.get("at"), withdrawal=True))
    return out

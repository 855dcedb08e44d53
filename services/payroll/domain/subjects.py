"""What one booking pays, and to whom: the subjects of remuneration of a booking's current state
(booking's contract fold).

- The assigned interpreter (or the one who reported, on a cancelled booking) is paid once the
  service is reported, or once the booking is cancelled or closed.
- Each interpreter who gave the booking back after making billable communications is paid those
  communications only, never the service fee (DESIGN.md section 2): priced as a withdrawal at its
  moment (pricing.py), with the communications as the whole report.
- An interpreter who withdrew and later did the service, or withdrew again, is paid a communication
  once: those of the final report or of a later withdrawal already paid with an earlier withdrawal
  (same moment) are left out of it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ims_common.times import parse_iso


@dataclass(frozen=True)
class Subject:
    key: str                 # "<booking>:<interpreter>" or "<booking>:<interpreter>:w<n>"
    interpreter_id: str
    booking: dict            # the booking as priced
    report: dict | None
    cancelled_at: str | None
    withdrawal: bool
    withdrawn_at: str | None = None


def subjects(booking: dict) -> list[Subject]:
    out = []
    withdrawals = booking.get("withdrawals") or []
    interpreter = booking.get("assigned_interpreter_id") or booking.get("reported_by")
    if interpreter and (booking.get("report") is not None or booking.get("status") in ("cancelled", "closed")):
        report = _without_paid(booking.get("report"), [w for w in withdrawals if w["interpreter_id"] == interpreter])
        out.append(Subject(f"{booking['id']}:{interpreter}", interpreter, booking, report,
                           booking.get("cancelled_at"), withdrawal=False))
    for n, w in enumerate(withdrawals, start=1):
        if w.get("communications"):
            report = _without_paid({"communications": w["communications"]},
                                   [e for e in withdrawals[:n - 1] if e["interpreter_id"] == w["interpreter_id"]])
            if not (report or {}).get("communications"):
                continue                     # all paid with an earlier withdrawal: nothing to pay
            out.append(Subject(f"{booking['id']}:{w['interpreter_id']}:w{n}", w["interpreter_id"], booking,
                               report, None, withdrawal=True, withdrawn_at=w.get("at")))
    return out


def _without_paid(report: dict | None, own_withdrawals: list) -> dict | None:
    """The report minus the communications its interpreter was already paid for on withdrawing (one
    listed with a withdrawal but timed after it was not paid there)."""
    paid = {c.get("at") for w in own_withdrawals for c in w.get("communications") or ()
            if c.get("at") and w.get("at") and parse_iso(c["at"]) < parse_iso(w["at"])}
    if not report or not paid or not any(c.get("at") in paid for c in report.get("communications") or ()):
        return report
    kept = [c for c in report["communications"] if c.get("at") not in paid]
    return dict(report, communications=kept,
                communications_paid_with_withdrawal=len(report["communications"]) - len(kept))

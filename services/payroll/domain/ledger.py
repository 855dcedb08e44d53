"""The pay ledger's rules: amounts as integer cents per line, and where a remuneration is booked.

A remuneration belongs to the pay period of its service date. While that period is open, its entry
there holds the whole amount (provisional, then final). Once the period is closed its entries are
never edited: a later change books the difference (what the remuneration now says minus what the
closed periods already hold) as an adjustment in the next open period. An amount no closed period
holds any part of (reported late, or carried when its period closed) is booked whole in the next
open period, with its own state (provisional, final), not as an adjustment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ims_common.money import Money
from services.payroll.contract.vocabulary import ADJUSTMENT, LINES

AMOUNT_KEYS = LINES + ("subtotal", "gst", "qst", "total")


def cents(rem) -> dict:
    """A Remuneration's amounts, in cents, per line and total."""
    out = {key: rem.lines[key].cents for key in LINES}
    out.update(subtotal=rem.subtotal.cents, gst=rem.gst.cents, qst=rem.qst.cents, total=rem.total.cents)
    return out


def zero() -> dict:
    return {key: 0 for key in AMOUNT_KEYS}


def add(a: dict, b: dict, sign: int = 1) -> dict:
    return {key: a.get(key, 0) + sign * b.get(key, 0) for key in AMOUNT_KEYS}


def total_of(amounts: Iterable[dict]) -> dict:
    out = zero()
    for amount in amounts:
        out = add(out, amount)
    return out


def strings(amounts: dict) -> dict:
    """Cents -> exact decimal strings ('82.00'): what JSON carries."""
    return {key: str(Money(amounts.get(key, 0))) for key in AMOUNT_KEYS}


@dataclass(frozen=True)
class Booking:
    """Where one computation of a remuneration goes."""
    period_id: str            # the period whose entry now holds `amounts`
    amounts: dict             # cents booked there: the whole amount, or the difference
    entry_kind: str           # provisional / final in the service's own period, else adjustment
    event_kind: str           # what RemunerationCalculated says: adjustment once a period was closed
    replaced: tuple           # keys of entries in open periods that this one replaces
    keep: bool                # False: nothing left to book there (a zero adjustment is not an entry)


def book(entries: list[dict], amounts: dict, kind: str, service_period: str,
         is_closed: Callable[[str], bool], next_period: Callable[[str], str]) -> Booking:
    """`entries`: the remuneration's entries so far ({key, period_id, amounts}); `kind`: provisional
    or final; `is_closed(period_id)`; `next_period(period_id)`."""
    closed = {e["period_id"] for e in entries if is_closed(e["period_id"])}
    already = total_of(e["amounts"] for e in entries if e["period_id"] in closed)
    target = service_period
    while is_closed(target):
        target = next_period(target)
    delta = add(amounts, already, -1)
    own = target == service_period
    whole = not closed            # nothing of it was paid in a closed period
    return Booking(
        period_id=target, amounts=delta, entry_kind=kind if whole else ADJUSTMENT,
        event_kind=kind if whole else ADJUSTMENT,
        replaced=tuple(e["key"] for e in entries if e["period_id"] not in closed and e["period_id"] != target),
        keep=own or whole or any(delta.values()))

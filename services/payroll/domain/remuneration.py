"""What one booking pays: the lines of the seed's "Détails de la rémunération" screen, taxes, total,
and why (policy version, the inputs that priced it, flags for the coordinator)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ims_common.money import Money
from services.payroll.contract.vocabulary import LINES

RATE_NAME = "Standard"
OFFICE_HOURS = "Heures de bureau"
AFTER_HOURS = "Hors heures de bureau"


@dataclass(frozen=True)
class Remuneration:
    lines: Mapping[str, Money]        # every key of LINES, in that order
    gst: Money
    qst: Money
    rate_name: str
    rate_description: str
    policy_version: str
    inputs: Mapping[str, object]      # JSON-ready: ints, bools, strings, None
    flags: tuple[str, ...]            # sorted; each asks a coordinator to look
    rules: Mapping[str, Mapping[str, str]] | None = None   # line -> {"fr", "en"}: the rule that priced it

    def __post_init__(self):
        if tuple(self.lines) != LINES:
            raise ValueError("remuneration lines must be exactly LINES, in order")

    @property
    def subtotal(self) -> Money:
        return sum(self.lines.values(), Money(0))

    @property
    def total(self) -> Money:
        return self.subtotal + self.gst + self.qst

    def to_dict(self) -> dict:
        """Amounts as plain decimal strings ('82.00'): exact, and no float on the way to JSON."""
        out: dict = {key: str(amount) for key, amount in self.lines.items()}
        out.update(subtotal=str(self.subtotal), gst=str(self.gst), qst=str(self.qst),
                   total=str(self.total), rate_name=self.rate_name,
                   rate_description=self.rate_description, policy_version=self.policy_version,
                   inputs=dict(self.inputs), flags=list(self.flags),
                   rules={line: dict(text) for line, text in (self.rules or {}).items()})
        return out

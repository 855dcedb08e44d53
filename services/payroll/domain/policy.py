"""Pay policy as data, versioned by effective date (America/Montreal).

A PayPolicy is a plain record: it serializes to a dict of strings, ints and bools so it can be stored
as an event or document and shown to coordinators, and it is rebuilt from that dict exactly. Every
remuneration names the version that priced it, so an amount can always be recomputed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Iterable, Mapping

from .business_hours import local_date
from ims_common.money import to_decimal

TIMED = "timed"                          # hourly rate, minimum, then blocks
PER_COMMUNICATION = "per_communication"  # one block of communication_minutes per communication
PER_WORD = "per_word"                    # word_rate per word
KINDS = (TIMED, PER_COMMUNICATION, PER_WORD)
MILEAGE_ALL_KM = "all"                   # all km, once the one-way route is over the threshold
MILEAGE_BEYOND = "beyond_threshold"      # only the km beyond the threshold
MILEAGE_PAY_COMPUTED = "pay_computed"    # a claim beyond the margin is paid at the computed distance
MILEAGE_FLAG = "flag"                    # … or paid as claimed and flagged for review


@dataclass(frozen=True)
class ModeRule:
    kind: str
    minimum_minutes: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown mode rule kind: {self.kind!r}")
        _check_count("minimum_minutes", self.minimum_minutes)


def default_modes() -> dict[str, ModeRule]:
    timed = ModeRule(TIMED, 120)
    return {"in_person": timed, "phone": timed, "video": timed, "professional_service": timed,
            "message_transmission": ModeRule(PER_COMMUNICATION),
            "document_translation": ModeRule(PER_WORD)}


@dataclass(frozen=True)
class PayPolicy:
    """Defaults are the policy in force since 2024-11-04 (DESIGN.md section 3). Figures not given
    there are marked ASSUMPTION: they are editable data, not knowledge."""
    version: str
    name: str
    effective_from: date
    hourly_rate: Decimal = Decimal("41.00")
    after_hours_hourly_rate: Decimal | None = None   # None: same as hourly_rate
    block_minutes: int = 15                          # beyond the minimum, rounded up
    communication_minutes: int = 15                  # one communication = one such block
    modes: Mapping[str, ModeRule] = field(default_factory=default_modes)
    travel_time_paid: bool = False                   # not paid from 2024-11-04 (FAQ)
    travel_hourly_rate: Decimal = Decimal("0.00")
    mileage_threshold_km: Decimal = Decimal("16")    # one-way route must be OVER this
    mileage_rate_per_km: Decimal = Decimal("0.48")   # ASSUMPTION
    mileage_paid_km: str = MILEAGE_ALL_KM            # ASSUMPTION: reading of the FAQ
    mileage_round_trip: bool = True                  # ASSUMPTION: reported km are one-way
    mileage_road_factor: Decimal = Decimal("1.25")   # ASSUMPTION: road km per straight-line km
    mileage_margin_percent: Decimal = Decimal("20")  # ASSUMPTION: claim accepted up to computed + 20 %
    mileage_excess_action: str = MILEAGE_PAY_COMPUTED   # ASSUMPTION (the bank decides)
    word_rate: Decimal = Decimal("0.20")             # ASSUMPTION
    late_cancellation_business_hours: int = 48
    # Actual times of a report may lie from this long before the planned start to this long after
    # the planned end; outside, the remuneration is flagged (booking refuses only the absurd).
    report_window_before_minutes: int = 120          # ASSUMPTION
    report_window_after_minutes: int = 240           # ASSUMPTION
    overtime_requires_reason: bool = True
    other_fees_require_receipt: bool = True
    wait_time_paid: bool = False                     # ASSUMPTION: waiting is not a line of its own
    office_opens: time = time(8, 30)
    office_closes: time = time(16, 30)
    gst_rate: Decimal = Decimal("0.05")
    qst_rate: Decimal = Decimal("0.09975")

    def __post_init__(self):
        if not self.version or not isinstance(self.version, str):
            raise ValueError("a policy needs a version id")
        if isinstance(self.effective_from, datetime) or not isinstance(self.effective_from, date):
            raise TypeError("effective_from is a local date (America/Montreal)")
        for name in _DECIMALS:
            value = getattr(self, name)
            if value is None and name in _OPTIONAL:
                continue
            number = to_decimal(value)
            if number < 0:
                raise ValueError(f"{name} must not be negative")
            object.__setattr__(self, name, number)
        for name in ("block_minutes", "communication_minutes"):
            _check_count(name, getattr(self, name), positive=True)
        for name in ("late_cancellation_business_hours", "report_window_before_minutes",
                     "report_window_after_minutes"):
            _check_count(name, getattr(self, name))
        if self.mileage_paid_km not in (MILEAGE_ALL_KM, MILEAGE_BEYOND):
            raise ValueError(f"mileage_paid_km: {self.mileage_paid_km!r}")
        if self.mileage_excess_action not in (MILEAGE_PAY_COMPUTED, MILEAGE_FLAG):
            raise ValueError(f"mileage_excess_action: {self.mileage_excess_action!r}")
        if self.mileage_road_factor < 1:
            raise ValueError("mileage_road_factor is at least 1 (a road is never shorter than the straight line)")
        for mode, rule in self.modes.items():
            # Keeps billed minutes on the block grid: minimum + whole blocks.
            if rule.kind == TIMED and rule.minimum_minutes % self.block_minutes:
                raise ValueError(f"{mode}: minimum_minutes is not a multiple of block_minutes")
        object.__setattr__(self, "modes", dict(self.modes))

    def rule_for(self, mode: str) -> ModeRule:
        try:
            return self.modes[mode]
        except KeyError:
            raise ValueError(f"no pay rule for mode {mode!r} in policy {self.version}") from None

    def to_dict(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "modes":
                value = {m: {"kind": r.kind, "minimum_minutes": r.minimum_minutes}
                         for m, r in value.items()}
            elif isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, time):
                value = value.strftime("%H:%M")
            elif isinstance(value, date):
                value = value.isoformat()
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> "PayPolicy":
        """Every field is required: a stored version must not change meaning when code defaults do."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = set(data) - set(names)
        missing = set(names) - set(data)
        if unknown or missing:
            raise ValueError(f"policy fields: unknown {sorted(unknown)}, missing {sorted(missing)}")
        values = dict(data)
        values["effective_from"] = date.fromisoformat(values["effective_from"])
        values["office_opens"] = time.fromisoformat(values["office_opens"])
        values["office_closes"] = time.fromisoformat(values["office_closes"])
        values["modes"] = {m: ModeRule(**r) for m, r in values["modes"].items()}
        return cls(**values)

    def derive(self, **changes) -> "PayPolicy":
        """A new version from this one (what an admin does when the policy changes)."""
        return dataclasses.replace(self, **changes)


_DECIMALS = ("hourly_rate", "after_hours_hourly_rate", "travel_hourly_rate", "mileage_threshold_km",
             "mileage_rate_per_km", "mileage_road_factor", "mileage_margin_percent", "word_rate", "gst_rate",
             "qst_rate")
_OPTIONAL = ("after_hours_hourly_rate",)


def _check_count(name: str, value, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
    if value < (1 if positive else 0):
        raise ValueError(f"{name} out of range: {value}")


class PolicyBook:
    """The policy versions, each in force from its effective date until the next one's."""

    def __init__(self, policies: Iterable[PayPolicy]):
        ordered = tuple(sorted(policies, key=lambda p: p.effective_from))
        if not ordered:
            raise ValueError("a policy book needs at least one version")
        if len({p.version for p in ordered}) != len(ordered):
            raise ValueError("duplicate policy version id")
        if len({p.effective_from for p in ordered}) != len(ordered):
            raise ValueError("two versions take effect on the same date")
        self.versions = ordered

    def policy_for(self, service_date: date | datetime) -> PayPolicy:
        """The version in force on the service's local date (an aware datetime is converted)."""
        if isinstance(service_date, datetime):
            service_date = local_date(service_date)
        in_force = [p for p in self.versions if p.effective_from <= service_date]
        if not in_force:
            raise LookupError(f"no pay policy in force on {service_date.isoformat()}")
        return in_force[-1]

    def version(self, version_id: str) -> PayPolicy:
        for policy in self.versions:
            if policy.version == version_id:
                return policy
        raise LookupError(f"unknown policy version {version_id!r}")

    def with_version(self, policy: PayPolicy) -> "PolicyBook":
        return PolicyBook(self.versions + (policy,))

    def to_dict(self) -> dict:
        return {"versions": [p.to_dict() for p in self.versions]}

    @classmethod
    def from_dict(cls, data: Mapping) -> "PolicyBook":
        return cls(PayPolicy.from_dict(v) for v in data["versions"])


CURRENT_POLICY = PayPolicy(
    version="BI-2024-11-04", effective_from=date(2024, 11, 4),
    name="Politique de rémunération et autres frais (2024-11-04)")

# ASSUMPTION: what the earlier policy paid is not documented. We only know (FAQ) that travel time
# was paid and that the 16 km one-way rule is the new policy's. So this version pays travel time at
# the hourly rate and mileage from the first km; everything else as the current one.
LEGACY_POLICY = CURRENT_POLICY.derive(
    version="BI-legacy", effective_from=date(2000, 1, 1),
    name="Politique antérieure (reconstituée, hypothèses)",
    travel_time_paid=True, travel_hourly_rate=Decimal("41.00"), mileage_threshold_km=Decimal("0"))


def default_policy_book() -> PolicyBook:
    return PolicyBook([LEGACY_POLICY, CURRENT_POLICY])

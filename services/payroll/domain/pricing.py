"""Pricing: a booking, its service report and the interpreter's tax registration -> Remuneration.

Rules (figures come from the PayPolicy in force on the service's local date):
- Timed modes: billed = the mode's minimum, plus whole blocks rounded up for what exceeds it, of
  max(planned, counted actual). The planned time is a floor: the interpreter reserved it
  (planned 2 h 30, actual 2 h 20 -> 2 h 30 billed). Actual time beyond the plan counts only with an
  overtime reason; without one it is capped at the plan and flagged.
- Message transmission: one block per communication reported (at least one: the transmission).
  Document translation: the words line only. Words reported in any mode are paid on the words line.
- Phone communications: one block each at the hourly rate (10,25 at 41,00/h).
- Withdrawal (the interpreter gave the booking back, or the bank took it from them): only the
  communications made before the withdrawal, whenever it happened and whoever recorded it; never the
  service fee or expenses, which go to whoever does the service.
- Cancellation (booking cancelled, or a report "not provided" with its cancellation time): fewer
  than 48 business hours before the start -> timed modes paid as planned, plus the report's
  mileage, travel and receipted fees (the interpreter may already be on the way or there);
  otherwise nothing but the communications made before the cancellation. In both cases only
  communications strictly before the cancellation are paid.
- Mileage: reported distance_km is the one-way route; paid only when over the threshold.
- Other fees: paid only when the booking has at least one attachment (the receipt).
- GST and QST on the whole subtotal, each rounded half up, when the registration is in force on the
  service date; QST is computed on the amount before GST.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ims_common.money import CENT, Money, to_decimal
from ims_common.times import iso_z, parse_iso

from . import explain, mileage
from .business_hours import business_minutes_between, is_late_cancellation, is_office_hours, local_date
from .policy import PER_COMMUNICATION, TIMED, PayPolicy
from .remuneration import AFTER_HOURS, LINES, OFFICE_HOURS, RATE_NAME, Remuneration


def price(booking: dict, report: dict | None, interpreter_tax: dict | None, policy_book,
          cancelled_at=None, attachments=(), withdrawn_at=None, places=None) -> Remuneration:
    """Price one booking. `booking` is the booking detail and `report` the service report of
    docs/contracts.md; `interpreter_tax` is {"gst_registered", "qst_registered", "gst_from",
    "gst_to", "qst_from", "qst_to"}; `cancelled_at` overrides the booking's; `attachments` are the
    booking's attachments (any one counts as the receipt of other fees). With `withdrawn_at`, the
    interpreter gave the booking back then: only the communications in `report` made before it are
    paid, whatever the booking became (the fee goes to whoever does the service). `places` are the
    coordinates the mileage claim is checked against (mileage.py; None: unknown). Pure: no I/O, no clock."""
    start = _moment(booking["start_at"], "start_at")
    service_day = local_date(start)
    policy = policy_book.policy_for(service_day)
    rule = policy.rule_for(booking["mode"])
    planned = _count(booking.get("duration_minutes"), "duration_minutes")
    report = report or {}
    office = is_office_hours(start, policy.office_opens, policy.office_closes)
    rate = policy.hourly_rate
    if not office and policy.after_hours_hourly_rate is not None:
        rate = policy.after_hours_hourly_rate

    p = _Pricer(policy, rate, places)
    p.inputs.update(mode=booking["mode"], service_date=service_day.isoformat(),
                    planned_minutes=planned, hourly_rate=str(rate))
    cancellation = None if withdrawn_at is not None else _cancellation_moment(booking, report, cancelled_at)
    if withdrawn_at is not None:
        p.withdrawal(report, _moment(withdrawn_at, "withdrawn_at"))
    elif cancellation is None:
        p.service(rule, planned, report, start)
    else:
        p.cancellation(rule, planned, report, cancellation, start)
    if p.pays_expenses:
        p.expenses(report, attachments)

    subtotal = sum(p.lines.values(), Money(0))
    gst_on = _registered(interpreter_tax, "gst", service_day)
    qst_on = _registered(interpreter_tax, "qst", service_day)
    p.inputs.update(gst_registered=gst_on, qst_registered=qst_on)
    return Remuneration(
        lines={key: p.lines.get(key, Money(0)) for key in LINES},
        gst=subtotal.times(policy.gst_rate) if gst_on else Money(0),
        qst=subtotal.times(policy.qst_rate) if qst_on else Money(0),
        rate_name=RATE_NAME, rate_description=OFFICE_HOURS if office else AFTER_HOURS,
        policy_version=policy.version, inputs=p.inputs, flags=tuple(sorted(p.flags)), rules=p.rules(policy.version))


def billed_minutes(basis: int, minimum: int, block: int) -> int:
    """The minimum, plus whole blocks for what exceeds it (rounded up)."""
    if basis <= minimum:
        return minimum
    return minimum + -(-(basis - minimum) // block) * block


class _Pricer:
    """Accumulates lines, inputs, flags and each line's reason for one booking."""

    def __init__(self, policy: PayPolicy, rate: Decimal, places=None):
        self.policy, self.rate, self.places = policy, rate, places
        self.lines: dict[str, Money] = {}
        self.inputs: dict[str, object] = {}
        self.flags: set[str] = set()
        self.pays_expenses = False
        self.reasons: dict[str, tuple[str, dict]] = {}
        self.notes: dict[str, list[tuple[str, dict]]] = {key: [] for key in LINES}

    def why(self, line: str, code: str, **params) -> None:
        self.reasons[line] = (code, params)

    def note(self, line: str, code: str, **params) -> None:
        self.notes[line].append((code, params))

    def _hours(self, minutes: int, rate: Decimal | None = None) -> Money:
        return Money.of((self.rate if rate is None else rate) * minutes / 60)

    def _communications(self, count: int, line: str = "phone_communications") -> Money:
        self.inputs["communication_blocks"] = count
        minutes = self.policy.communication_minutes
        if line == "phone_communications":
            if count:
                self.why(line, "calls.some", count=count, block_minutes=minutes, rate_money=self.rate)
            else:
                self.why(line, "calls.none")
        return self._hours(count * minutes)

    def _timed_fee(self, rule, basis: int) -> None:
        block = self.policy.block_minutes
        billed = billed_minutes(basis, rule.minimum_minutes, block)
        self.inputs.update(billed_minutes=billed, minimum_minutes=rule.minimum_minutes)
        self.lines["demande"] = self._hours(billed)
        if billed == rule.minimum_minutes:
            self.why("demande", "fee.minimum", minimum_minutes=rule.minimum_minutes, rate_money=self.rate)
        else:
            self.why("demande", "fee.blocks", minimum_minutes=rule.minimum_minutes, block_minutes=block,
                     blocks=(billed - rule.minimum_minutes) // block, billed_minutes=billed, rate_money=self.rate)

    def service(self, rule, planned: int, report: dict, start: datetime) -> None:
        self.pays_expenses = True
        if not report:
            self.flags.add("no_report")   # an estimate: priced as planned
            self.note("demande", "note.estimate")
        communications = report.get("communications") or []
        if report.get("communications_paid_with_withdrawal"):
            count = report["communications_paid_with_withdrawal"]
            self.inputs["communications_paid_with_withdrawal"] = count
            self.note("phone_communications", "note.paid_with_withdrawal", count=count)
        self._plausible(report, start, planned)
        if rule.kind == TIMED:
            actual = _actual_minutes(report)
            self.inputs["actual_minutes"] = actual
            counted = planned if actual is None else actual
            overtime_note = None
            if actual is not None and actual > planned:
                justified = bool((report.get("overtime_reason") or "").strip())
                self.inputs["overtime_minutes"] = actual - planned
                overtime_note = ("note.overtime_paid", {"overtime_minutes": actual - planned})
                if not justified and self.policy.overtime_requires_reason:
                    self.flags.add("overtime_unjustified")
                    counted = planned
                    overtime_note = ("note.overtime_capped", {"overtime_minutes": actual - planned})
            self._timed_fee(rule, max(planned, counted))
            if overtime_note:
                self.note("demande", overtime_note[0], **overtime_note[1])
            self.lines["phone_communications"] = self._communications(len(communications))
        elif rule.kind == PER_COMMUNICATION:
            # The communications are the service itself: on the Demande line, not twice.
            count = max(len(communications), 1)
            self.lines["demande"] = self._communications(count, line="demande")
            self.why("demande", "fee.per_communication", count=count,
                     block_minutes=self.policy.communication_minutes, rate_money=self.rate)
            self.why("phone_communications", "calls.in_fee")
        else:
            self.why("demande", "fee.per_word")
            self.why("phone_communications", "calls.not_paid")
        self._words(report)
        if report.get("additional_service"):
            self.flags.add("additional_service_to_review")

    def _words(self, report: dict) -> None:
        words = _count(report.get("words"), "words")
        self.inputs["words"] = words
        self.lines["words"] = Money.of(self.policy.word_rate * words)
        if words:
            self.why("words", "words.some", count=words, rate_money=self.policy.word_rate)

    def _plausible(self, report: dict, start: datetime, planned: int) -> None:
        """Actual times inside the policy's window around the slot (booking refuses the absurd;
        this flags the unusual for the coordinator's validation)."""
        if not (report.get("actual_start") and report.get("actual_end")):
            return
        low = start - timedelta(minutes=self.policy.report_window_before_minutes)
        high = start + timedelta(minutes=planned + self.policy.report_window_after_minutes)
        times = (_moment(report["actual_start"], "actual_start"), _moment(report["actual_end"], "actual_end"))
        if any(t < low or t > high for t in times):
            self.flags.add("actual_times_outside_window")
            self.note("demande", "note.times_outside_window")

    def _communications_before(self, report: dict, moment: datetime, flag_after: str) -> int:
        before = after = 0
        for item in report.get("communications") or []:
            at = item.get("at")
            if at is None:
                self.flags.add("communication_time_missing")
            elif _moment(at, "communications.at") < moment:
                before += 1
            else:
                after += 1
                self.flags.add(flag_after)
        if after:
            self.note("phone_communications", "note.after_not_paid", count=after)
        return before

    def withdrawal(self, report: dict, withdrawn: datetime) -> None:
        """A withdrawn interpreter: the communications made before the withdrawal, nothing else
        (no service fee, however late the withdrawal; no expenses)."""
        self.inputs.update(withdrawn_at=iso_z(withdrawn))
        self.note("phone_communications", "note.before_withdrawal")
        if report.get("communications_paid_with_withdrawal"):      # listed again after withdrawing before
            count = report["communications_paid_with_withdrawal"]
            self.inputs["communications_paid_with_withdrawal"] = count
            self.note("phone_communications", "note.paid_with_withdrawal", count=count)
        before = self._communications_before(report, withdrawn, "communication_after_withdrawal")
        self.lines["phone_communications"] = self._communications(before)
        self.why("demande", "fee.withdrawal")

    def cancellation(self, rule, planned: int, report: dict, cancelled: datetime,
                     start: datetime) -> None:
        notice = business_minutes_between(cancelled, start)
        late = is_late_cancellation(cancelled, start, self.policy)
        hours = (Decimal(notice) / 60).quantize(CENT, ROUND_HALF_UP)
        window = self.policy.late_cancellation_business_hours
        self.inputs.update(cancelled_at=iso_z(cancelled), late_cancellation=late,
                           business_hours_before_start=str(hours))
        self.note("phone_communications", "note.before_cancellation")
        before = self._communications_before(report, cancelled, "communication_after_cancellation")
        self.lines["phone_communications"] = self._communications(before)
        if late and rule.kind == TIMED:
            self.pays_expenses = True
            self._timed_fee(rule, planned)
            self.note("demande", "note.late_cancellation", notice_hours=hours, window=window)
        elif late:
            self.why("demande", "fee.late_cancellation_not_timed")
        else:
            self.why("demande", "fee.early_cancellation", notice_hours=hours, window=window)

    def expenses(self, report: dict, attachments) -> None:
        policy = self.policy
        km = to_decimal(report.get("distance_km") or "0")
        if km < 0:
            raise ValueError("distance_km must not be negative")
        self.inputs["distance_km"] = str(km)
        paid_km = mileage.check(self, km, self.places) if km else Decimal(0)
        if not km:
            self.why("distance", "km.none")
        self.inputs["paid_km"] = str(paid_km)
        self.lines["distance"] = Money.of(paid_km * policy.mileage_rate_per_km)

        travel = _count(report.get("travel_minutes"), "travel_minutes")
        self.inputs["travel_minutes"] = travel
        if policy.travel_time_paid and travel:
            billed = billed_minutes(travel, 0, policy.block_minutes)
            self.inputs["travel_billed_minutes"] = billed
            self.lines["travel_time"] = self._hours(billed, policy.travel_hourly_rate)
            self.why("travel_time", "travel.paid", billed_minutes=billed, rate_money=policy.travel_hourly_rate,
                     block_minutes=policy.block_minutes)
        elif travel:
            self.why("travel_time", "travel.not_paid")

        fees = _count(report.get("other_fees_cents"), "other_fees_cents")
        self.inputs["other_fees_cents"] = fees
        if fees and policy.other_fees_require_receipt and not attachments:
            self.flags.add("receipt_missing")
            self.why("other_fees", "fees.no_receipt", amount_money=Money(fees))
        else:
            self.lines["other_fees"] = Money(fees)
            if fees:
                self.why("other_fees", "fees.receipt", amount_money=Money(fees))

        wait = _count(report.get("wait_minutes"), "wait_minutes")
        self.inputs["wait_minutes"] = wait
        if policy.wait_time_paid and wait:
            billed = billed_minutes(wait, 0, policy.block_minutes)
            self.lines["extra_fees"] = self._hours(billed)
            self.why("extra_fees", "wait.paid", billed_minutes=billed, rate_money=self.rate)
        elif wait:
            self.why("extra_fees", "wait.not_paid", wait_minutes=wait)

    def rules(self, version: str) -> dict[str, dict]:
        """Each line's rule as sentences (explain.py); a line with no reason of its own says why not."""
        defaults: dict[str, tuple[str, dict]] = {
            "distance": ("km.none", {}) if self.pays_expenses else ("km.not_paid", {}),
            "travel_time": ("travel.none", {}), "words": ("words.none", {}), "other_fees": ("fees.none", {}),
            "extra_fees": ("wait.none", {}), "phone_communications": ("calls.none", {}),
            "demande": ("fee.per_word", {})}
        return {line: explain.render(self.reasons.get(line, defaults[line]), self.notes[line], version)
                for line in LINES}


def _cancellation_moment(booking: dict, report: dict, explicit) -> datetime | None:
    if explicit is not None:
        return _moment(explicit, "cancelled_at")
    if booking.get("status") == "cancelled":
        if not booking.get("cancelled_at"):
            raise ValueError("a cancelled booking needs its cancellation time")
        return _moment(booking["cancelled_at"], "cancelled_at")
    if report.get("provided") is False:
        if not report.get("cancelled_at"):
            raise ValueError("a report of a service not provided needs its cancellation time")
        return _moment(report["cancelled_at"], "report.cancelled_at")
    return None


def _actual_minutes(report: dict) -> int | None:
    if report.get("actual_start") and report.get("actual_end"):
        seconds = (_moment(report["actual_end"], "actual_end")
                   - _moment(report["actual_start"], "actual_start")).total_seconds()
        if seconds < 0:
            raise ValueError("actual_end is before actual_start")
        return int(seconds // 60)
    if report.get("actual_minutes") is not None:
        return _count(report["actual_minutes"], "actual_minutes")
    return None


def _registered(tax: dict | None, name: str, day: date) -> bool:
    if not tax or not tax.get(f"{name}_registered"):
        return False
    since, until = _day(tax.get(f"{name}_from")), _day(tax.get(f"{name}_to"))
    return (since is None or since <= day) and (until is None or day <= until)


def _day(value) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"a registration date is a date or 'YYYY-MM-DD', not {value!r}")


def _moment(value, name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = parse_iso(value)
        except ValueError:
            raise ValueError(f"{name}: not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name}: an aware datetime or ISO 8601 string with offset is required")
    return value


def _count(value, name: str) -> int:
    """A non-negative integer (None counts as 0). Floats are refused like everywhere else."""
    if value is None:
        return 0
    if isinstance(value, float):
        raise TypeError(f"{name}: float is not accepted")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: an integer is required")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value

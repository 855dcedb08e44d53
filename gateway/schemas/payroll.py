"""Payroll request schemas, and response shapes for the OpenAPI document. Amounts are exact decimal
strings ('82.00'), never JSON numbers."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.bookings import BOOKING_ID, USER_ID
from services.booking.contract.vocabulary import MODES
from gateway.schemas.fields import Bool, DateStr, Int, ListOf, Obj, Pattern, StrictSchema, Text, TimeStr

PERIOD_ID = r"\d{4}-\d{2}-\d{2}"
REMUNERATION_KEY = rf"{BOOKING_ID}:{USER_ID}(:w[0-9]{{1,3}})?"   # "<booking>:<interpreter>[:w<n>]"
DECIMAL = r"\d{1,7}(\.\d{1,6})?"
DATE = r"\d{4}-\d{2}-\d{2}"
TIME = r"\d{2}:\d{2}"


class StatementQuerySchema(StrictSchema):
    period = Pattern(PERIOD_ID, 10, required=True)
    interpreter_id = Pattern(USER_ID)


class BillingQuerySchema(StrictSchema):
    period = Pattern(PERIOD_ID, 10, required=True)


class ClosePeriodSchema(StrictSchema):
    """Every provisional amount the period holds must be validated first or carried here."""
    carry = ListOf(Pattern(REMUNERATION_KEY, 140), max_items=5000, metadata={
        "description": "keys of the provisional remunerations to carry to the next open period "
                       "(GET /payroll/periods/{period_id} lists them)"})


class ModeRuleSchema(StrictSchema):
    kind = Pattern(r"timed|per_communication|per_word", required=True)
    minimum_minutes = Int(0, 1440, required=True)


# The pay rule of each booking mode a new version sets (booking owns the modes).
PolicyModesSchema = StrictSchema.from_dict({mode: Obj(ModeRuleSchema, allow_none=False) for mode in MODES},
                                           name="PolicyModes")


class PolicyCreateSchema(StrictSchema):
    """A new version: the latest version with these fields changed. Effective after today."""
    version = Pattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", required=True)
    name = Text(200, min_length=1)
    effective_from = DateStr(required=True)
    hourly_rate = Pattern(DECIMAL, 20)
    after_hours_hourly_rate = Pattern(DECIMAL, 20)
    block_minutes = Int(1, 240)
    communication_minutes = Int(1, 240)
    modes = Obj(PolicyModesSchema, allow_none=False)
    travel_time_paid = Bool()
    travel_hourly_rate = Pattern(DECIMAL, 20)
    mileage_threshold_km = Pattern(DECIMAL, 20)
    mileage_rate_per_km = Pattern(DECIMAL, 20)
    mileage_paid_km = Pattern(r"all|beyond_threshold")
    mileage_round_trip = Bool()
    mileage_road_factor = Pattern(DECIMAL, 20)
    mileage_margin_percent = Pattern(DECIMAL, 20)
    mileage_excess_action = Pattern(r"pay_computed|flag")
    word_rate = Pattern(DECIMAL, 20)
    late_cancellation_business_hours = Int(0, 1000)
    report_window_before_minutes = Int(0, 10080)
    report_window_after_minutes = Int(0, 10080)
    overtime_requires_reason = Bool()
    other_fees_require_receipt = Bool()
    wait_time_paid = Bool()
    office_opens = TimeStr()
    office_closes = TimeStr()
    gst_rate = Pattern(DECIMAL, 20)
    qst_rate = Pattern(DECIMAL, 20)


def _money(**kw):
    return fields.String(metadata={"example": "82.00", "pattern": r"^-?\d+\.\d{2}$", **kw})


class AmountsSchema(Schema):
    demande = _money(description="Demande (service fee)")
    distance = _money()
    travel_time = _money()
    phone_communications = _money()
    words = _money()
    other_fees = _money()
    extra_fees = _money()
    subtotal = _money()
    gst = _money()
    qst = _money()
    total = _money()


class RuleSchema(Schema):
    fr = fields.String(metadata={"example": "2 h minimum à 41,00 $/h, politique BI-2024-11-04"})
    en = fields.String(metadata={"example": "2 h minimum at $41.00/h, policy BI-2024-11-04"})


class LineSchema(Schema):
    key = fields.String(metadata={"enum": ["demande", "distance", "travel_time", "phone_communications", "words",
                                           "other_fees", "extra_fees"]})
    label = fields.String(metadata={"example": "Demande"})
    label_en = fields.String(metadata={"example": "Service fee"})
    amount = _money()
    rule = fields.Nested(RuleSchema, metadata={"description": "the rule that produced the amount"})


class EntrySchema(AmountsSchema):
    period_id = fields.String()
    kind = fields.String(metadata={"enum": ["provisional", "final", "adjustment"]})


class RemunerationItemSchema(AmountsSchema):
    booking_id = fields.String()
    interpreter_id = fields.String()
    kind = fields.String(metadata={"enum": ["provisional", "final"]})
    withdrawal = fields.Boolean()
    service_date = fields.String(metadata={"format": "date"})
    period_id = fields.String()
    establishment = fields.String(allow_none=True)
    cost_center = fields.String(allow_none=True)
    rate_name = fields.String(metadata={"example": "Standard"})
    rate_description = fields.String(metadata={"example": "Heures de bureau"})
    policy_version = fields.String()
    inputs = fields.Dict()
    flags = fields.List(fields.String())
    rules = fields.Dict(keys=fields.String(), values=fields.Nested(RuleSchema),
                        metadata={"description": "each line's rule, by line key"})
    calculated_at = fields.String(metadata={"format": "date-time"})
    lines = fields.List(fields.Nested(LineSchema))
    entries = fields.List(fields.Nested(EntrySchema))


class RemunerationSchema(Schema):
    booking_id = fields.String()
    items = fields.List(fields.Nested(RemunerationItemSchema))


class PeriodSchema(Schema):
    id = fields.String(metadata={"example": "2024-11-03"})
    start = fields.String(metadata={"format": "date"})
    end = fields.String(metadata={"format": "date"})
    status = fields.String(metadata={"enum": ["open", "closed"]})
    ended = fields.Boolean(metadata={"description": "its last day is past: it may be closed"})
    closed_at = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    carried = fields.Integer(metadata={"description": "provisional amounts carried to the next period at closing"})
    provisional = fields.Integer(metadata={"description": "provisional amounts it holds (not validated yet)"})
    total = _money()


class ProvisionalItemSchema(AmountsSchema):
    key = fields.String(metadata={"example": "HC-24240002:UBIPN0002"})
    booking_id = fields.String()
    interpreter_id = fields.String()
    service_date = fields.String(metadata={"format": "date"})
    withdrawal = fields.Boolean()
    flags = fields.List(fields.String())


class PeriodStatementLineSchema(AmountsSchema):
    """One interpreter the period pays: their totals and how many amounts are still provisional."""
    interpreter_id = fields.String()
    supplier_number = fields.String()
    legal_name = fields.String()
    provisional = fields.Integer()


class PeriodDetailSchema(PeriodSchema):
    provisional_items = fields.List(fields.Nested(ProvisionalItemSchema))
    totals = fields.Nested(AmountsSchema)
    statements = fields.List(fields.Nested(PeriodStatementLineSchema))


class PeriodListSchema(Schema):
    items = fields.List(fields.Nested(PeriodSchema))


class StatementItemSchema(AmountsSchema):
    booking_id = fields.String()
    kind = fields.String(metadata={"enum": ["provisional", "final", "adjustment"]})
    service_date = fields.String()
    establishment = fields.String(allow_none=True)
    cost_center = fields.String(allow_none=True)
    policy_version = fields.String(allow_none=True)
    flags = fields.List(fields.String())
    lines = fields.List(fields.Nested(LineSchema), metadata={
        "description": "this amount per line, each with the rule of the remuneration that produced it"})


class StatementSchema(Schema):
    interpreter_id = fields.String()
    supplier_number = fields.String()
    legal_name = fields.String()
    period = fields.Nested(PeriodSchema)
    status = fields.String()
    totals = fields.Nested(AmountsSchema)
    items = fields.List(fields.Nested(StatementItemSchema))


class BillingItemSchema(AmountsSchema):
    establishment = fields.String(allow_none=True)
    cost_center = fields.String(allow_none=True)
    cost_center_description = fields.String(allow_none=True)
    bookings = fields.Integer()


class BillingSchema(Schema):
    period = fields.Nested(PeriodSchema)
    items = fields.List(fields.Nested(BillingItemSchema))
    totals = fields.Nested(AmountsSchema)


class ModeRuleOutSchema(Schema):
    kind = fields.String(metadata={"enum": ["timed", "per_communication", "per_word"]})
    minimum_minutes = fields.Integer()


def _decimal(allow_none: bool = False, **kw):
    return fields.String(allow_none=allow_none, metadata={"pattern": r"^\d+(\.\d+)?$", **kw})


class PolicySchema(Schema):
    """A pay policy version: every figure, decimals as exact strings (services/payroll/domain/policy.py)."""
    version = fields.String()
    name = fields.String()
    effective_from = fields.String(metadata={"format": "date"})
    hourly_rate = _decimal(example="41.00")
    after_hours_hourly_rate = _decimal(allow_none=True)
    block_minutes = fields.Integer()
    communication_minutes = fields.Integer()
    modes = fields.Dict(keys=fields.String(), values=fields.Nested(ModeRuleOutSchema))
    travel_time_paid = fields.Boolean()
    travel_hourly_rate = _decimal()
    mileage_threshold_km = _decimal(example="16")
    mileage_rate_per_km = _decimal(example="0.48")
    mileage_paid_km = fields.String(metadata={"enum": ["all", "beyond_threshold"]})
    mileage_round_trip = fields.Boolean()
    mileage_road_factor = _decimal(example="1.25", description="road km per straight-line km")
    mileage_margin_percent = _decimal(example="20", description="a claim up to this much above the computed "
                                                                "distance is paid as claimed")
    mileage_excess_action = fields.String(metadata={"enum": ["pay_computed", "flag"]})
    word_rate = _decimal()
    late_cancellation_business_hours = fields.Integer()
    report_window_before_minutes = fields.Integer()
    report_window_after_minutes = fields.Integer()
    overtime_requires_reason = fields.Boolean()
    other_fees_require_receipt = fields.Boolean()
    wait_time_paid = fields.Boolean()
    office_opens = fields.String(metadata={"example": "08:30"})
    office_closes = fields.String(metadata={"example": "16:30"})
    gst_rate = _decimal(example="0.05")
    qst_rate = _decimal(example="0.09975")


class PolicyListSchema(Schema):
    items = fields.List(fields.Nested(PolicySchema))

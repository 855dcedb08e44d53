"""Request schemas of the booking endpoints, built from the booking service's input rules
(services/booking/contract/inputs.py): the gateway refuses with 400 exactly what the OpenAPI document
(generated from these schemas) says is malformed; the booking domain, which reads the same rules,
then decides what the booking's state, the caller's role and the clock allow (422 and 409)."""
from __future__ import annotations

import base64
from datetime import date, time, timedelta

from marshmallow import ValidationError, validates_schema

from gateway.schemas.fields import (
    Base64Str, Beyond, Bool, Choice, Const, DateStr, DateTimeStr, DecimalStr, EmailStr, Int, ListOf, Msg, Obj, Pattern,
    QuerySchema, StrictSchema, Text, TimeStr, UrlStr,
)
from ims_common import files
from ims_common.times import local_moment
from services.booking.contract import inputs as rules
from services.booking.contract.vocabulary import DUE_DATE_MODES, MODES, STATUSES, TIMED_MODES  # noqa: F401

QUEUES = rules.QUEUES
BOOKING_ID = r"[A-Z]{2,6}-[0-9]{8}"
USER_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
ESTABLISHMENT = r"[A-Z]{2,6}"
ATTACHMENT_TYPES = rules.ATTACHMENT_TYPES
ATTACHMENT_MAX_BYTES = rules.ATTACHMENT_MAX_BYTES


def field_for(rule: dict, *, required: bool | None = None, nullable: bool | None = None, **kwargs):
    """The marshmallow field of one contract rule. `required` (default: the rule's) makes the field
    mandatory and not null; `nullable` overrides whether an optional field may be null."""
    required = rule.get("required", False) if required is None else required
    options = dict(required=required, **kwargs)
    if not required:
        options["allow_none"] = True if nullable is None else nullable
    kind = rule["kind"]
    if kind == "text":
        return Text(rule["max"], min_length=1 if rule.get("required") else None,
                    multiline=rule.get("multiline", False), **options)
    if kind == "choice":
        return Choice(rule["choices"], **options)
    if kind == "code":
        return Pattern(ESTABLISHMENT, 6, **options)
    if kind == "identifier":
        return Pattern(USER_ID, rule["max"], **options)
    if kind == "url":
        return UrlStr(rule["max"], **options)
    if kind == "email":
        return EmailStr(**options)
    if kind == "date":
        return DateStr(**options)
    if kind == "time":
        return TimeStr(**options)
    if kind == "datetime":
        return DateTimeStr(**options)
    if kind == "integer":
        return Int(rule["min"], rule["max"], **options)
    if kind == "boolean":
        return Bool(**options)
    if kind == "decimal":
        return DecimalStr(rule["max"], rule.get("places", 2), **options)
    if kind == "base64":
        return Base64Str(rule["max_bytes"], **options)
    if kind == "accept":
        return Const(True, **options)
    if kind == "list":
        return ListOf(field_for(rule["items"], required=True), min_items=rule.get("min_items"),
                      max_items=rule["max_items"], **options)
    if kind == "object":
        return Obj(_object_schema(rule), **options)
    raise ValueError(f"no field for the rule kind {kind!r}")


_OBJECTS: dict[int, type] = {}
OBJECT_NAMES = {id(rules.COMMUNICATION): "CommunicationSchema"}


def _object_schema(rule: dict) -> type:
    """One schema class per object rule (the document names it once and refers to it)."""
    if id(rule) not in _OBJECTS:
        _OBJECTS[id(rule)] = schema_of(OBJECT_NAMES[id(rule)], rule["fields"])
    return _OBJECTS[id(rule)]


def schema_of(name: str, table: dict[str, dict], *, base: type = StrictSchema, doc: str | None = None,
              **overrides) -> type:
    """A marshmallow schema class with one field per rule of `table`; `overrides` replace fields."""
    attrs = {field: field_for(rule) for field, rule in table.items()}
    attrs.update(overrides)
    if doc:
        attrs["__doc__"] = doc
    return type(name, (base,), attrs)


# ---- booking creation: one form per kind of schedule --------------------------------------------

def _skipped_hours() -> dict[str, list[str]]:
    """Two-digit hours that do not exist on the clock of America/Montreal -> the days they are
    skipped on (the hour lost when daylight saving time starts), over the years dates may take."""
    skipped: dict[str, list[str]] = {}
    day, last = date(rules.YEARS[0], 1, 1), date(rules.YEARS[1], 12, 31)
    while day <= last:
        if day.month in (3, 4) and day.weekday() == 6:     # DST starts on a Sunday of March or April
            for hour in range(24):
                if local_moment(day, time(hour, 0)) is None:
                    skipped.setdefault(f"{hour:02d}", []).append(day.isoformat())
        day += timedelta(days=1)
    return skipped


SKIPPED_HOURS = _skipped_hours()


def nonexistent_times() -> dict:
    """The schema of the date and start time pairs that name no moment: a timed booking is not one."""
    return {"anyOf": [{"required": ["date", "start_time"],
                       "properties": {"date": {"enum": days}, "start_time": {"pattern": f"^{hour}:"}}}
                      for hour, days in sorted(SKIPPED_HOURS.items())]}


class _Schedule(StrictSchema):
    def _check_time_exists(self, data):
        day, at = data.get("date"), data.get("start_time")
        if day and at and day in SKIPPED_HOURS.get(at[:2], ()):
            raise ValidationError({"start_time": [Msg("time.nonexistent")]})


_CREATE = {name: rule for name, rule in rules.FIELDS.items()}
_TIMED, _DUE = rules.SCHEDULES["timed"], rules.SCHEDULES["due_date"]


class TimedBookingCreateSchema(schema_of(
        "_TimedBase", _CREATE, base=_Schedule,
        mode=Choice(_TIMED["modes"], required=True),
        establishment=field_for(_CREATE["establishment"], required=False,
                                description="required from coordinators; a requester's own is used"),
        **{name: field_for(_CREATE[name], required=True) for name in _TIMED["required"]})):
    """A booking at a time (in person, by phone, by video, professional service): date, start time
    and duration. The due date, if given, is checked and then cleared."""
    json_schema_extra = {"not": nonexistent_times()}

    @validates_schema
    def time_exists(self, data, **kwargs):
        self._check_time_exists(data)


class DueDateBookingCreateSchema(schema_of(
        "_DueBase", _CREATE,
        mode=Choice(_DUE["modes"], required=True),
        establishment=field_for(_CREATE["establishment"], required=False,
                                description="required from coordinators; a requester's own is used"),
        **{name: field_for(_CREATE[name], required=True) for name in _DUE["required"]})):
    """A message to pass on or a document to translate: a due date. Date, start time and duration, if
    given, are checked and then cleared."""


_ANY_MODE = schema_of("_AnyMode", _CREATE, mode=Choice(MODES, required=True),
                      establishment=field_for(_CREATE["establishment"], required=False))


class BookingCreateSchema:
    """Chooses the form from `mode`; `load` behaves like a marshmallow schema's."""
    forms = (TimedBookingCreateSchema, DueDateBookingCreateSchema)
    discriminator = {"propertyName": "mode", "mapping": {
        **{mode: "TimedBookingCreate" for mode in TIMED_MODES},
        **{mode: "DueDateBookingCreate" for mode in DUE_DATE_MODES}}}

    def load(self, data: dict) -> dict:
        mode = data.get("mode")
        if mode in TIMED_MODES:
            return TimedBookingCreateSchema().load(data)
        if mode in DUE_DATE_MODES:
            return DueDateBookingCreateSchema().load(data)
        return _ANY_MODE().load(data)     # reports the mode and every other malformed field


class BookingModifySchema(schema_of(
        "_ModifyBase", _CREATE, base=_Schedule,
        # What is required at creation may change but not be cleared; the establishment only repeated.
        **{name: field_for(rule, required=False, nullable=False)
           for name, rule in _CREATE.items() if rule.get("required")})):
    """Only the fields that change; null clears an optional one. The booking with the changes must
    still hold what its mode asks for (422 otherwise), and its establishment cannot change."""

    @validates_schema
    def time_exists(self, data, **kwargs):
        self._check_time_exists(data)


BookingModifySchema.json_schema_extra = {"not": nonexistent_times()}

# ---- lists ------------------------------------------------------------------------------------

class BookingQuerySchema(schema_of(
        "_QueryBase", rules.LIST_QUERY, base=QuerySchema,
        status=ListOf(Choice(STATUSES), max_items=len(STATUSES)),
        page=Int(1, rules.LIST_QUERY["page"]["max"], strict=False, load_default=rules.PAGE_DEFAULTS["page"]),
        per_page=Int(1, rules.MAX_PER_PAGE, strict=False, load_default=rules.PAGE_DEFAULTS["per_page"]))):
    """date_from and date_to (YYYY-MM-DD, America/Montreal) bound the appointment day; date_to before
    date_from is 422. queue: coordinators only."""

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError({"date_to": [Beyond("field.date_order")]})

# ---- command payloads ---------------------------------------------------------------------------

OfferSchema = schema_of("OfferSchema", rules.OFFER_NAMED, doc="Chosen interpreters.")
OfferAllSchema = schema_of("OfferAllSchema", rules.OFFER_ALL_QUALIFIED,
                           doc="{\"all_qualified\": true}: every current candidate at once (first accept wins).")


class OfferFormsSchema:
    forms = (OfferSchema, OfferAllSchema)

    def load(self, data: dict) -> dict:
        if "all_qualified" in data and "interpreter_ids" in data:
            raise ValidationError({"all_qualified": [Msg("field.exclusive")]})
        return (OfferAllSchema if "all_qualified" in data else OfferSchema)().load(data)


def _command(name: str, command: str, doc: str) -> type:
    return schema_of(name, rules.COMMANDS[command], doc=doc)


DeclineSchema = _command("DeclineSchema", "decline", "An optional reason.")
EmptySchema = _command("EmptySchema", "accept", "accept: nothing to give.")
AssignSchema = _command("AssignSchema", "assign", "The interpreter who takes it.")
WithdrawSchema = _command("WithdrawSchema", "withdraw",
                          "An optional reason, and the billable communications made before withdrawing.")
CancelSchema = schema_of("CancelSchema", rules.COMMANDS["cancel"], doc="Why; coordinators may say when the bank "
                         "was told (cancelled_at, not in the future), others are 403 with it.")
CloseSchema = _command("CloseSchema", "close", "An optional comment.")
ReturnReportSchema = _command("ReturnReportSchema", "return-report",
                              "What the interpreter must look at again (required).")
class AttachmentSchema(schema_of("_AttachmentBase", rules.ATTACHMENT, content_type=Choice(
        rules.ATTACHMENT_TYPES, code="file.type_not_allowed", required=True))):
    """A file as base64 (10 MB at most) whose content is of its declared type (422 otherwise: the
    document cannot state a file's signature). A browser's "C:\\fakepath\\" is cut off by the service."""

    @validates_schema
    def content_matches(self, data, **kwargs):
        if not files.matches(data["content_type"], base64.b64decode(data["content_base64"])):
            raise ValidationError({"content_base64": [Beyond("file.type_mismatch")]})


ProvidedReportSchema = schema_of("ProvidedReportSchema", rules.REPORT_PROVIDED, provided=Const(True, required=True),
                                 doc="Service report when the service took place (provided: true). An overtime "
                                     "reason is required when it lasted longer than planned (422).")
NotProvidedReportSchema = schema_of("NotProvidedReportSchema", rules.REPORT_NOT_PROVIDED,
                                    provided=Const(False, required=True),
                                    doc="Service report when it did not (provided: false): why, and what was done "
                                        "before.")


class ReportSchema:
    """Chooses the report form from `provided`; `load` behaves like a marshmallow schema's."""
    forms = (ProvidedReportSchema, NotProvidedReportSchema)

    def load(self, data: dict) -> dict:
        provided = data.get("provided")
        if not isinstance(provided, bool):
            raise ValidationError({"provided": [Msg("field.required" if provided is None else "field.not_a_boolean")]})
        return (ProvidedReportSchema if provided else NotProvidedReportSchema)().load(data)


COMMAND_SCHEMAS = {
    "offer": OfferFormsSchema,
    "decline": DeclineSchema,
    "accept": EmptySchema,
    "assign": AssignSchema,
    "modify": BookingModifySchema,
    "withdraw": WithdrawSchema,
    "cancel": CancelSchema,
    "report": ReportSchema,
    "correct-report": ReportSchema,
    "attachments": AttachmentSchema,
    "close": CloseSchema,
    "return-report": ReturnReportSchema,
}

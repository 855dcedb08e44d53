"""Schemas of the reference data (services/reference; docs/contracts.md, "Reference data"): one set
per kind, made from the kind's fields in the service's contract, so the document says what the
service checks field by field. What depends on the data as it stands (a region or establishment that
exists, an active establishment) or on two fields together (both coordinates or neither; a general
reason for detailed reasons only) is the service's to check: 409 `reference.inconsistent`."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from gateway.schemas.fields import SPACE, Bool, Choice, Int, Msg, Pattern, Range, StrictSchema, Text
from services.reference.contract import vocabulary as V

# One line of printable text with something in it (the service strips it and refuses control characters).
LINE = rf"[^\x00-\x1f\x7f-\x9f]*[^{SPACE}\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*"
LINE_OR_BLANK = r"[^\x00-\x1f\x7f-\x9f]*"
_PC_FIRST, _PC_OTHER = "ABCEGHJ-NPRSTVXYabceghj-nprstvxy", "ABCEGHJ-NPRSTV-Zabceghj-nprstv-z"
POSTAL_CODE = f" *[{_PC_FIRST}][0-9][{_PC_OTHER}][ -]?[0-9][{_PC_OTHER}][0-9] *"
BOUNDS = {"latitude": (44, 63), "longitude": (-80, -57)}
REQUIRED = {
    V.REGION: ("head_office_name", "address", "city", "postal_code", "latitude", "longitude"),
    V.ESTABLISHMENT: ("region", "category"), V.FACILITY: ("establishment",), V.COST_CENTRE: ("establishment",),
    V.ADMIN_UNIT: ("establishment",), V.LANGUAGE: (), V.CONTEXT: (), V.REPORT_REASON: ("category",),
}
ENGLISH_REQUIRED = {V.REGION, V.LANGUAGE, V.CONTEXT, V.REPORT_REASON}
REFERENCE_PATTERN = {"region": V.CODE_PATTERNS[V.REGION], "establishment": V.CODE_PATTERNS[V.ESTABLISHMENT],
                     "admin_unit": V.CODE_PATTERNS[V.ADMIN_UNIT], "general": V.CODE_PATTERNS[V.REPORT_REASON]}


class Degrees(fields.Float):
    """A JSON number of decimal degrees (a string, a boolean or NaN is refused)."""
    default_error_messages = {"required": "field.required", "null": "field.null", "invalid": "field.not_a_number",
                              "special": "field.not_a_number"}

    def __init__(self, name: str, **kwargs):
        low, high = BOUNDS[name]
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(validate=[Range(low, high)], allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(Msg("field.not_a_number"))
        return super()._deserialize(value, attr, data, **kwargs)


def _input_field(kind: str, name: str, required: bool, nullable: bool):
    """The marshmallow field of one input field of a kind."""
    opts: dict = {"required": required}
    if not required:
        opts["allow_none"] = nullable
    label = {"metadata": {"description": V.field_label(name, "en")}}
    if name == "code":
        return Pattern(V.CODE_PATTERNS[kind], 64, "reference.field.code_format", **opts, **label)
    if name in ("label_fr", "label_en") or (name in REQUIRED[kind] and name in (
            "head_office_name", "address", "city")):
        return Pattern(LINE, 200, **opts, **label)
    if name in V.COORDINATE_FIELDS:
        return Degrees(name, **opts, **label)
    if name == "postal_code":
        return Pattern(POSTAL_CODE if required or not nullable else f"{POSTAL_CODE}| *", 12,
                       "field.invalid_postal_code", **opts, **label)
    if name in V.BOOLEAN_FIELDS:
        return Bool(**opts, **label)
    if name == "category":
        return Choice(tuple(V.CATEGORY_CHOICES[kind]), **opts, **label)
    if name in REFERENCE_PATTERN:
        pattern = REFERENCE_PATTERN[name] if required or not nullable else f"{REFERENCE_PATTERN[name]}| *"
        return Pattern(pattern, 64, **opts, **label)
    return Pattern(LINE_OR_BLANK, 200, **opts, **label)


def _create_schema(kind: str) -> type[Schema]:
    required = set(REQUIRED[kind]) | {"code", "label_fr"} | ({"label_en"} if kind in ENGLISH_REQUIRED else set())
    attrs = {name: _input_field(kind, name, name in required, nullable=name not in required)
             for name in V.fields_of(kind)}
    return type(f"Reference{_camel(kind)}CreateSchema", (StrictSchema,), attrs)


def _change_schema(kind: str) -> type[Schema]:
    fixed = {"code"} | ({"establishment"} if kind in V.SCOPED else set())
    keep = set(REQUIRED[kind]) | {"label_fr"} | ({"label_en"} if kind in ENGLISH_REQUIRED else set())
    attrs = {name: _input_field(kind, name, False, nullable=name not in keep)
             for name in V.fields_of(kind) if name not in fixed}
    attrs["version"] = Int(1, 10**9, allow_none=False, metadata={
        "description": "the version the change was made from: 409 when the item has changed since"})
    return type(f"Reference{_camel(kind)}ChangeSchema", (StrictSchema,), attrs)


def _query_schema(kind: str) -> type[Schema]:
    attrs = {"q": Pattern(LINE_OR_BLANK, 100, metadata={
                 "description": "words of the code, names or address; accents and case aside"}),
             "include_inactive": Choice(("true", "false"), metadata={
                 "description": "true: also the deactivated items (default: active only)"}),
             "sort": Choice(("code", "label")),
             "page": Int(1, 100_000, strict=False), "per_page": Int(1, 1000, strict=False)}
    if kind in (V.FACILITY, V.COST_CENTRE, V.ADMIN_UNIT):
        attrs["establishment"] = Pattern(V.CODE_PATTERNS[V.ESTABLISHMENT], 6)
    if kind == V.ESTABLISHMENT:
        attrs["region"] = Pattern(V.CODE_PATTERNS[V.REGION], 2)
    if kind in V.CATEGORY_CHOICES:
        attrs["category"] = Choice(tuple(V.CATEGORY_CHOICES[kind]))
    return type(f"Reference{_camel(kind)}QuerySchema", (StrictSchema,), attrs)


class ActorSchema(Schema):
    user_id = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


def _output_field(name: str):
    if name in V.COORDINATE_FIELDS:
        return fields.Float(allow_none=True)
    if name in V.BOOLEAN_FIELDS:
        return fields.Boolean()
    return fields.String(allow_none=True)


def _item_schema(kind: str) -> type[Schema]:
    attrs = {name: _output_field(name) for name in V.fields_of(kind)}
    attrs.update(
        id=fields.String(metadata={"description": "the code, or <establishment>:<code> for cost centres and units"}),
        kind=fields.String(metadata={"enum": [kind]}), active=fields.Boolean(),
        deactivation_reason=fields.String(allow_none=True), version=fields.Integer(),
        created_at=fields.String(allow_none=True, metadata={"format": "date-time"}),
        updated_at=fields.String(allow_none=True, metadata={"format": "date-time"}),
        updated_by=fields.Nested(ActorSchema))
    return type(f"Reference{_camel(kind)}Schema", (Schema,), attrs)


def _page_schema(kind: str, item: type[Schema]) -> type[Schema]:
    return type(f"Reference{_camel(kind)}PageSchema", (Schema,), {
        "items": fields.List(fields.Nested(item)), "total": fields.Integer(), "page": fields.Integer(),
        "per_page": fields.Integer()})


class ChangeEntrySchema(Schema):
    version = fields.Integer()
    type = fields.String(metadata={"enum": ["ReferenceItemCreated", "ReferenceItemChanged",
                                            "ReferenceItemDeactivated", "ReferenceItemReactivated"]})
    at = fields.String(metadata={"format": "date-time"})
    by = fields.Nested(ActorSchema)
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)),
                          metadata={"description": "field -> [before, after]"})
    reason = fields.String(allow_none=True)


def _history_schema(kind: str, item: type[Schema]) -> type[Schema]:
    return type(f"Reference{_camel(kind)}HistorySchema", (Schema,), {
        "item": fields.Nested(item), "history": fields.List(fields.Nested(ChangeEntrySchema))})


class DeactivateSchema(StrictSchema):
    reason = Pattern(LINE_OR_BLANK, 500)


class ImportSchema(StrictSchema):
    csv = Text(5 * 2**20, required=True, allow_none=False, metadata={
        "description": "the file's text: first line names the columns (fields or their French labels); "
                       "comma, semicolon or tab"})
    dry_run = Bool(metadata={"description": "report what the file would do, change nothing"})


class ImportRowSchema(Schema):
    line = fields.Integer()
    id = fields.String(allow_none=True)
    fields_ = fields.List(fields.String(), data_key="fields")


class RefusedRowSchema(Schema):
    line = fields.Integer()
    id = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "field (or _row) -> messages in the caller's language"})


class ImportCountsSchema(Schema):
    added = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()
    refused = fields.Integer()


class ImportReportSchema(Schema):
    kind = fields.String()
    dry_run = fields.Boolean()
    encoding = fields.String()
    delimiter = fields.String()
    columns = fields.List(fields.String())
    ignored_columns = fields.List(fields.String())
    rows = fields.Integer()
    added = fields.List(fields.Nested(ImportRowSchema))
    changed = fields.List(fields.Nested(ImportRowSchema))
    unchanged = fields.List(fields.Nested(ImportRowSchema))
    refused = fields.List(fields.Nested(RefusedRowSchema))
    counts = fields.Nested(ImportCountsSchema)


def _camel(kind: str) -> str:
    return "".join(part.title() for part in kind.split("_"))


class KindSchemas:
    def __init__(self, kind: str):
        self.create = _create_schema(kind)
        self.change = _change_schema(kind)
        self.query = _query_schema(kind)
        self.item = _item_schema(kind)
        self.page = _page_schema(kind, self.item)
        self.history = _history_schema(kind, self.item)


SCHEMAS = {kind: KindSchemas(kind) for kind in V.KINDS}

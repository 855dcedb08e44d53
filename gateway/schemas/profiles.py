"""Request and response schemas of the profile endpoints (docs/contracts.md, "Profiles"). Strict:
unknown fields are refused, no field coerces, so an operator object ({"$gt": ""}) anywhere is a 400.
The auth service checks again (formats, Canadian postal codes, who may change what)."""
from __future__ import annotations

import base64

from marshmallow import Schema, ValidationError, fields, validates_schema

from gateway.contract import views as page_views
from gateway.schemas.auth_security import SECRET
from gateway.schemas.bookings import ESTABLISHMENT
from services.auth.contract.vocabulary import ROLES
from services.booking.contract.vocabulary import MODES
from ims_common.files import PROFILE_FILE_TYPES, UPLOAD_MAX_BYTES, matches as file_matches
from gateway.schemas.fields import (
    LONG, SHORT, Base64Str, Beyond, Bool, Choice, DateStr, DateTimeStr, EmailStr, Int, ListOf, Obj, Pattern,
    StrictSchema, Text, TimeStr,
)

LANGS = ("fr", "en")
GENDERS = ("unspecified", "female", "male", "other")
REGIONS = (
    "01-Bas-Saint-Laurent", "02-Saguenay–Lac-Saint-Jean", "03-Capitale-Nationale", "04-Mauricie",
    "05-Estrie", "06-Montréal", "07-Outaouais", "08-Abitibi-Témiscamingue", "09-Côte-Nord",
    "10-Nord-du-Québec", "11-Gaspésie–Îles-de-la-Madeleine", "12-Chaudière-Appalaches", "13-Laval",
    "14-Lanaudière", "15-Laurentides", "16-Montérégie", "17-Centre-du-Québec",
)   # as services/auth/domain/profile.py
FILE_TYPES = PROFILE_FILE_TYPES
FILE_MAX_BYTES = UPLOAD_MAX_BYTES
ITEM_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
PHONE = r"[0-9+()\-. ]{7,40}"


class Num(fields.Float):
    """A JSON number (not a boolean, not a string)."""
    default_error_messages = {"required": "field.required", "null": "field.null", "invalid": "field.not_a_number",
                              "special": "field.not_a_number"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class ProfileCoordinatesSchema(StrictSchema):
    lat = Num(required=True, validate=lambda x: -90 <= x <= 90)
    lon = Num(required=True, validate=lambda x: -180 <= x <= 180)


class ProfileLanguagePairSchema(StrictSchema):
    source = Text(SHORT, min_length=1, required=True)
    target = Text(SHORT, min_length=1, required=True)
    country = Text(SHORT)


class ProfileNotificationsSchema(StrictSchema):
    sms_disabled = Bool()
    email_disabled = Bool()


class ProfileSlotSchema(StrictSchema):
    weekday = Int(0, 6, required=True, metadata={"description": "0 = Monday"})
    start = TimeStr(required=True)
    end = TimeStr(required=True)


class ProfileAvailabilitySchema(StrictSchema):
    always = Bool(metadata={"description": "24/7"})
    slots = ListOf(Obj(ProfileSlotSchema), max_items=100)


class ProfileDocumentSchema(StrictSchema):
    id = Pattern(ITEM_ID)
    name = Text(SHORT, min_length=1, required=True)
    description = Text(LONG)
    expires_on = DateStr()
    inactive_if_invalid = Bool(metadata={"description": "coordinators only"})
    comments = Text(LONG)


class ProfileFinancialSchema(StrictSchema):
    legal_name = Text(SHORT)
    supplier_number = Text(40)
    gst_registered = Bool()
    gst_number = Text(40, metadata={"example": "123456789RT0001"})
    gst_from = DateStr()
    gst_to = DateStr()
    qst_registered = Bool()
    qst_number = Text(40, metadata={"example": "1234567890TQ0001"})
    qst_from = DateStr()
    qst_to = DateStr()


class ProfileInactivitySchema(StrictSchema):
    id = Pattern(ITEM_ID)
    start = DateTimeStr(required=True)
    end = DateTimeStr(required=True)
    reason = Text(LONG)


class ProfileBlockSchema(StrictSchema):
    establishment = Pattern(ESTABLISHMENT, 6, required=True)
    reason = Text(LONG)


class ProfileCostCenterSchema(StrictSchema):
    code = Text(40, min_length=1, required=True)
    description = Text(SHORT)


class ProfilePatchSchema(StrictSchema):
    """A partial profile: only the fields sent change (lists are replaced whole; notifications,
    availability and financial merge key by key). Coordinator-only: first_name, last_name,
    language_pairs, contexts, financial, establishment_blocks, establishment, and a document's
    inactive_if_invalid (403 naming the field when someone else changes them)."""
    first_name = Text(100, min_length=1, allow_none=False)
    last_name = Text(100, min_length=1, allow_none=False)
    email = EmailStr(allow_none=False)
    mobile = Pattern(PHONE, 40, "field.invalid_phone")
    phone = Pattern(PHONE, 40, "field.invalid_phone")
    display_language = Choice(LANGS, allow_none=False)
    gender = Choice(GENDERS)
    list_view = Choice(page_views.CHOICES, metadata={
        "description": "the bookings page's view the person made their default (gateway/contract/views.py)"})
    region = Choice(REGIONS)
    address = Text(300)
    postal_code = Text(20)
    country = Text(100)
    work_region_postal_code = Text(20)
    home_coordinates = Obj(ProfileCoordinatesSchema)
    request_types = ListOf(Choice(MODES), max_items=len(MODES))
    language_pairs = ListOf(Obj(ProfileLanguagePairSchema), max_items=100)
    contexts = ListOf(Text(SHORT, min_length=1), max_items=100)
    notifications = Obj(ProfileNotificationsSchema, allow_none=False)
    availability = Obj(ProfileAvailabilitySchema, allow_none=False)
    eligibility_documents = ListOf(Obj(ProfileDocumentSchema), max_items=100)
    financial = Obj(ProfileFinancialSchema, allow_none=False)
    inactivity_periods = ListOf(Obj(ProfileInactivitySchema), max_items=100)
    establishment_blocks = ListOf(Obj(ProfileBlockSchema), max_items=100)
    establishment = Pattern(ESTABLISHMENT, 6, allow_none=False)
    facility = Text(SHORT)
    cost_centers = ListOf(Obj(ProfileCostCenterSchema), max_items=100)


class ProfileChangeSchema(ProfilePatchSchema):
    """A PATCH body: the partial profile, and the password when one's own email or phone changes."""
    current_password = Text(SECRET, min_length=1, metadata={
        "description": "the caller's password: required when they change their own email, mobile or phone"})


class ProfileQuerySchema(StrictSchema):
    role = Choice(ROLES)
    language = Text(SHORT, multiline=False,
                    metadata={"description": "source or target of a language pair (accents ignored)"})
    region = Choice(REGIONS)
    document_expiring_within_days = Int(0, 3650, strict=False, metadata={
        "description": "profiles with an eligibility document expiring within N days (or already expired)"})
    q = Text(100, multiline=False, metadata={"description": "name, email or identifier"})
    page = Int(1, 100_000, strict=False, load_default=1)
    per_page = Int(1, 200, strict=False, load_default=50)


class ProfileFileSchema(StrictSchema):
    """A file for the profile (cheque specimen, training certificate…): PDF, JPEG or PNG, 10 MB at most."""
    filename = Text(SHORT, min_length=1, required=True)
    content_type = Choice(FILE_TYPES, "file.type_not_allowed", required=True)
    content_base64 = Base64Str(FILE_MAX_BYTES, required=True)
    description = Text(LONG)
    name = Text(SHORT, metadata={"description": "what the person calls it, e.g. Spécimen de chèque"})

    @validates_schema
    def content_matches(self, data, **kwargs):
        if not data.get("content_base64") or not isinstance(data.get("content_type"), str):
            return
        content = base64.b64decode(data["content_base64"])
        content_type = data["content_type"].lower()
        if content_type in FILE_TYPES and not file_matches(content_type, content):
            # the content's first bytes: a rule the document cannot state (422)
            raise ValidationError({"content_base64": [Beyond("file.type_mismatch")]})


# ---- responses (for the OpenAPI document: the gateway passes the service's answer through) ----

class ProfileFileMetaSchema(Schema):
    id = fields.String()
    filename = fields.String()
    name = fields.String(allow_none=True)
    content_type = fields.String()
    size = fields.Integer()
    description = fields.String(allow_none=True)
    added_by = fields.String()
    added_at = fields.String(metadata={"format": "date-time"})


class ProfileUnavailableReasonSchema(Schema):
    code = fields.String(metadata={"enum": ["account_inactive", "eligibility_document_expired"]})
    document_id = fields.String()
    name = fields.String()
    expires_on = fields.String(metadata={"format": "date"})


class ProfileUpdatedBySchema(Schema):
    user_id = fields.String()
    role = fields.String()
    name = fields.String(allow_none=True)


class ProfileSchema(ProfilePatchSchema):
    user_id = fields.String(metadata={"example": "UBIPN0002"})
    establishment = fields.String(allow_none=True, metadata={"description": "a requester's; null for others"})
    role = fields.String()
    secondary_role = fields.String(allow_none=True)
    default_role = fields.String()
    active = fields.Boolean()
    files = fields.List(fields.Nested(ProfileFileMetaSchema))
    available_for_offers = fields.Boolean()
    unavailable_reasons = fields.List(fields.Nested(ProfileUnavailableReasonSchema))
    updated_at = fields.String(metadata={"format": "date-time"})
    updated_by = fields.Nested(ProfileUpdatedBySchema, allow_none=True)
    warnings = fields.List(fields.String(), metadata={
        "description": "e.g. profile.notifications_all_disabled: no SMS and no email will be sent"})


class ProfilePageSchema(Schema):
    items = fields.List(fields.Nested(ProfileSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()

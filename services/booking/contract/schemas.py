"""The public contract of the booking events: a marshmallow schema per (event type, schema_version)
for the `data` of the envelope, and the envelope itself.

These schemas are allowlists: `public.public_event` dumps the stored data through them, so a field
that is not declared here never leaves the booking service (docs/events/README.md, Privacy). Every
(type, version) ever published stays here: a published version is never edited (its fingerprint in
docs/events/fingerprints.json is checked by the tests); a change is a new version with an upcaster
(events.py)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.auth.contract.vocabulary import ACTOR_ROLES as ROLES

from .events import CURRENT
from .vocabulary import MODES, STATUSES


def _text(required=False, **kw):
    return fields.String(required=required, allow_none=not required, **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


# ---- pieces ---------------------------------------------------------------------------------

class BookingFieldsSchema(_Strict):
    """The booking's public fields (no requester contact, no context details, no notes or
    messages to the interpreter, no address or room, no video link or secret)."""
    source_language = _text(metadata={"description": "language name or code as entered"})
    target_language = _text()
    mode = fields.String(validate=validate.OneOf(MODES))
    context = _text(metadata={"description": "the booking's category (e.g. Santé mentale); never details"})
    establishment = fields.String(metadata={"description": "establishment code, e.g. HC"})
    facility = _text()
    cost_center = _text()
    cost_center_description = _text()
    date = _text(metadata={"description": "appointment date, YYYY-MM-DD, America/Montreal"})
    start_time = _text(metadata={"description": "HH:MM, America/Montreal"})
    duration_minutes = fields.Integer(allow_none=True)
    due_date = _text(metadata={"description": "YYYY-MM-DD, for message_transmission and document_translation"})
    video_platform = _text()
    start_at = _text(metadata={"description": "UTC ISO 8601 with Z"})
    end_at = _text(metadata={"description": "UTC ISO 8601 with Z"})


class CommunicationSchema(_Strict):
    at = _text(metadata={"description": "UTC ISO 8601 with Z"})


class ReportSchema(_Strict):
    """The service report's figures (no comments, no free-text reasons)."""
    provided = fields.Boolean(required=True)
    actual_start = _text()
    actual_end = _text()
    actual_minutes = fields.Integer(allow_none=True)
    additional_service = fields.Boolean(allow_none=True)
    cancelled_at = _text()
    wait_minutes = fields.Integer()
    distance_km = fields.String(metadata={"description": "decimal as a string"})
    travel_minutes = fields.Integer()
    communications = fields.List(fields.Nested(CommunicationSchema))
    words = fields.Integer()
    other_fees_cents = fields.Integer()


class AttachmentSchema(_Strict):
    id = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


# ---- event data, one schema per (type, version) -----------------------------------------------

class BookingCreatedV1(BookingFieldsSchema):
    number = fields.String(required=True, metadata={"description": "booking number = id, e.g. HC-24240002"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class BookingOfferedV1(_Strict):
    interpreter_ids = fields.List(fields.String(), required=True)
    broadcast = fields.Boolean(metadata={"description": "offered to all qualified at once"})
    tier = fields.Integer(metadata={"description": "escalation tier of an automatic offer"})


class InterpreterV1(_Strict):
    interpreter_id = fields.String(required=True)


class BookingDeclinedV1(InterpreterV1):
    pass


class BookingAcceptedV1(InterpreterV1):
    pass


class BookingAssignedV1(InterpreterV1):
    pass


class ExclusionSchema(_Strict):
    code = fields.String(required=True,
                         metadata={"description": "matching's reason, e.g. matching.overlapping_booking"})


class OverrideSchema(_Strict):
    """A coordinator assigned although matching excluded the interpreter (the reason they gave
    stays inside IMS: it is free text)."""
    exclusions = fields.List(fields.Nested(ExclusionSchema), required=True)


class BookingAssignedV2(InterpreterV1):
    override = fields.Nested(OverrideSchema, allow_none=True, required=True,
                             metadata={"description": "null, or the rules a coordinator overrode"})


class BookingModifiedV1(_Strict):
    changes = fields.Nested(BookingFieldsSchema, required=True,
                            metadata={"description": "the public fields changed, with their new value"})
    status = fields.String(required=True, validate=validate.OneOf(("pending", "modified")))


class BookingWithdrawnV1(InterpreterV1):
    pass


class BookingWithdrawnV2(InterpreterV1):
    communications = fields.List(fields.Nested(CommunicationSchema), required=True,
                                 metadata={"description": "billable communications made before withdrawing"})


class BookingCancelledV1(_Strict):
    cancelled_at = fields.String(required=True)
    previous_status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class ServiceProvidedV1(_Strict):
    report = fields.Nested(ReportSchema, required=True)
    interpreter_id = fields.String(required=True)


class ServiceReportCorrectedV1(_Strict):
    report = fields.Nested(ReportSchema, required=True)
    by_role = fields.String(required=True, validate=validate.OneOf(ROLES))


class AttachmentAddedV1(_Strict):
    attachment = fields.Nested(AttachmentSchema, required=True)


class BookingClosedV1(_Strict):
    pass


# ---- the envelope ---------------------------------------------------------------------------

class ActorSchema(_Strict):
    user_id = _text()
    role = _text()


class EnvelopeSchema(_Strict):
    """DESIGN.md section 4: what travels on `booking.public`, /api/v1/events and webhooks."""
    event_id = fields.UUID(required=True, metadata={"description": "unique; the idempotency key"})
    type = fields.String(required=True, metadata={"description": "event type = AMQP routing key"})
    schema_version = fields.Integer(required=True, metadata={"description": "version of `data`'s schema"})
    stream_id = fields.String(required=True, metadata={"description": "booking-<number>"})
    stream_version = fields.Integer(required=True, metadata={"description": "1 for the first event of a stream"})
    position = fields.Integer(required=True, metadata={"description": "global, strictly increasing: resume after it"})
    occurred_at = fields.String(required=True, metadata={"description": "UTC ISO 8601 with Z"})
    actor = fields.Nested(ActorSchema, required=True)
    correlation_id = _text()
    causation_id = _text()
    data = fields.Dict(required=True, metadata={"description": "the payload: see the event type's schema"})


# type -> {version: schema class}
REGISTRY: dict[str, dict[int, type[Schema]]] = {
    "BookingCreated": {1: BookingCreatedV1},
    "BookingOffered": {1: BookingOfferedV1},
    "BookingDeclined": {1: BookingDeclinedV1},
    "BookingAccepted": {1: BookingAcceptedV1},
    "BookingAssigned": {1: BookingAssignedV1, 2: BookingAssignedV2},
    "BookingModified": {1: BookingModifiedV1},
    "BookingWithdrawn": {1: BookingWithdrawnV1, 2: BookingWithdrawnV2},
    "BookingCancelled": {1: BookingCancelledV1},
    "ServiceProvided": {1: ServiceProvidedV1},
    "ServiceReportCorrected": {1: ServiceReportCorrectedV1},
    "AttachmentAdded": {1: AttachmentAddedV1},
    "BookingClosed": {1: BookingClosedV1},
}

assert set(REGISTRY) == set(CURRENT) and all(max(REGISTRY[t]) == v for t, v in CURRENT.items())


_INSTANCES: dict[type, Schema] = {}


def schema_for(event_type: str, version: int | None = None) -> Schema:
    """The schema of an event type's version, one instance each, shared: dumping and validating keep
    no state in it, and building one cost a quarter of webhooks' Python time per published event."""
    cls = REGISTRY[event_type][version or CURRENT[event_type]]
    schema = _INSTANCES.get(cls)
    if schema is None:
        schema = _INSTANCES.setdefault(cls, cls())
    return schema

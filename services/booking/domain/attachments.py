"""Attachments (parking receipts, documents): checked type, size and content before storing."""
from __future__ import annotations

import base64
import binascii

from ims_common import files, validation as v
from services.booking.contract.inputs import ATTACHMENT, ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES

from .inputs import check

MAX_BYTES = ATTACHMENT_MAX_BYTES
MAX_PER_BOOKING = 30
ALLOWED_TYPES = ATTACHMENT_TYPES
FIELDS = tuple(ATTACHMENT)


def check_attachment(raw) -> tuple[dict, bytes]:
    """({filename, content_type, size, description}, content) or ValidationFailed."""
    raw = v.require_object(raw)
    errors = v.Errors()
    v.reject_unknown(raw, FIELDS, errors)
    filename = check(ATTACHMENT["filename"], raw.get("filename"), "filename", errors)
    if filename is not None:
        filename = filename.replace("\\", "/").rsplit("/", 1)[-1] or None   # never a path
        if filename is None:
            errors.add("filename", "field.required")
    content_type = v.text(raw.get("content_type"), "content_type", errors, 100, required=True)
    if content_type is not None:
        content_type = content_type.lower()
        if content_type not in ALLOWED_TYPES:
            errors.add("content_type", "file.type_not_allowed")
    description = check(ATTACHMENT["description"], raw.get("description"), "description", errors)
    encoded = raw.get("content_base64")
    content = b""
    if not isinstance(encoded, str) or not encoded:
        errors.add("content_base64", "field.required" if not encoded else "field.not_a_string")
    elif len(encoded) > files.base64_max_length(MAX_BYTES):      # refuse before decoding a huge string
        errors.add("content_base64", "file.too_large")
    else:
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            errors.add("content_base64", "field.invalid_base64")
        else:
            if not content:
                errors.add("content_base64", "field.required")
            elif len(content) > MAX_BYTES:
                errors.add("content_base64", "file.too_large")
            elif content_type in ALLOWED_TYPES and not files.matches(content_type, content):
                errors.add("content_base64", "file.type_mismatch")
    errors.raise_if_any()
    meta = {"filename": filename, "content_type": content_type, "size": len(content),
            "description": description}
    return meta, content

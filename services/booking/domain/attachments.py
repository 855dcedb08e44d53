"""Attachments (parking receipts, documents): checked type, size and content before storing."""
from __future__ import annotations

import base64
import binascii

from ims_common import validation as v

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_BOOKING = 30
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/heic", "application/pdf")
FIELDS = ("filename", "content_type", "content_base64", "description")


def _looks_like(content_type: str, content: bytes) -> bool:
    """The bytes match the declared type (a renamed executable is not a receipt)."""
    if content_type == "image/jpeg":
        return content.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "application/pdf":
        return content.startswith(b"%PDF-")
    if content_type == "image/heic":   # ISO media file: 'ftyp' box with a HEIF brand
        return content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim",
                                                              b"heis", b"hevc", b"hevx")
    return False


def check_attachment(raw) -> tuple[dict, bytes]:
    """({filename, content_type, size, description}, content) or ValidationFailed."""
    raw = v.require_object(raw)
    errors = v.Errors()
    v.reject_unknown(raw, FIELDS, errors)
    filename = v.text(raw.get("filename"), "filename", errors, v.SHORT, required=True)
    if filename is not None:
        filename = filename.replace("\\", "/").rsplit("/", 1)[-1] or None   # never a path
        if filename is None:
            errors.add("filename", "field.required")
    content_type = v.text(raw.get("content_type"), "content_type", errors, 100, required=True)
    if content_type is not None:
        content_type = content_type.lower()
        if content_type not in ALLOWED_TYPES:
            errors.add("content_type", "file.type_not_allowed")
    description = v.text(raw.get("description"), "description", errors, v.LONG, multiline=True)
    encoded = raw.get("content_base64")
    content = b""
    if not isinstance(encoded, str) or not encoded:
        errors.add("content_base64", "field.required" if not encoded else "field.not_a_string")
    elif len(encoded) > (MAX_BYTES * 4) // 3 + 4:      # refuse before decoding a huge string
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
            elif content_type in ALLOWED_TYPES and not _looks_like(content_type, content):
                errors.add("content_base64", "file.type_mismatch")
    errors.raise_if_any()
    meta = {"filename": filename, "content_type": content_type, "size": len(content),
            "description": description}
    return meta, content

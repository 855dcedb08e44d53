"""Uploaded files: the types IMS accepts, how each type's content begins, and the checks of a payload.

The one place of file signatures: the booking domain (attachments), the auth domain (profile files),
the gateway's schemas and its pages all ask this module. A declared type is believed only when the
bytes begin as that type does (a renamed executable is not a receipt). Size limits are parameters:
UPLOAD_MAX_BYTES is what IMS takes today for any upload.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"

# Booking attachments (parking receipts, documents): HEIC is what phones photograph in.
ATTACHMENT_TYPES = (PDF, JPEG, PNG, HEIC)
# Profile files (cheque specimen, certificates, eligibility documents).
PROFILE_FILE_TYPES = (PDF, JPEG, PNG)

UPLOAD_MAX_BYTES = 10 * 1024 * 1024

# ISO media files ('ftyp' box at offset 4) whose brand is HEIF's.
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc", b"hevx")


def _begins(prefix: bytes) -> Callable[[bytes], bool]:
    return lambda content: content.startswith(prefix)


def _heif(content: bytes) -> bool:
    return content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS


SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    PDF: _begins(b"%PDF-"),
    JPEG: _begins(b"\xff\xd8\xff"),
    PNG: _begins(b"\x89PNG\r\n\x1a\n"),
    HEIC: _heif,
}


def matches(content_type: str, content: bytes) -> bool:
    """The bytes begin as the declared type does (case of the type ignored); False for a type with
    no known signature."""
    check = SIGNATURES.get(str(content_type).lower())
    return bool(check and check(bytes(content[:16])))


def sniff(content: bytes, types: Iterable[str] = ATTACHMENT_TYPES) -> Optional[str]:
    """The type among `types` whose signature the bytes have, or None."""
    return next((t for t in types if matches(t, content)), None)


def base64_max_length(max_bytes: int) -> int:
    """The longest base64 text that can decode to max_bytes bytes (with slack for padding): a longer
    text is refused before it is decoded."""
    return max_bytes * 4 // 3 + 4


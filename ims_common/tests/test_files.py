"""The file types IMS accepts and their signatures (ims_common/files.py)."""
from __future__ import annotations

import base64

import pytest

from ims_common import files

SAMPLES = {
    files.PDF: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    files.JPEG: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    files.PNG: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    files.HEIC: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
}


@pytest.mark.parametrize("content_type", list(SAMPLES))
def test_each_type_is_recognised_by_its_own_signature_only(content_type):
    content = SAMPLES[content_type]
    assert files.matches(content_type, content) and files.matches(content_type.upper(), content)
    assert [t for t in SAMPLES if files.matches(t, content)] == [content_type]
    assert files.sniff(content) == content_type


@pytest.mark.parametrize("content", [b"", b"MZ\x90\x00 an executable", b"%PDF", b"GIF89a",
                                     b"\x00\x00\x00\x18ftypmp42\x00\x00", b"<svg xmlns=...>"])
def test_what_no_allowed_type_begins_with_is_refused(content):
    assert files.sniff(content) is None
    assert not any(files.matches(t, content) for t in SAMPLES)


def test_sniffing_looks_only_among_the_given_types():
    assert files.sniff(SAMPLES[files.HEIC], files.PROFILE_FILE_TYPES) is None
    assert files.sniff(SAMPLES[files.PNG], files.PROFILE_FILE_TYPES) == files.PNG
    assert not files.matches("image/webp", b"RIFF\x00\x00\x00\x00WEBP")   # no signature: never


def test_the_allowed_types_have_signatures():
    assert set(files.ATTACHMENT_TYPES) == set(SAMPLES)
    assert set(files.PROFILE_FILE_TYPES) == {files.PDF, files.JPEG, files.PNG}
    assert all(t in files.SIGNATURES for t in files.ATTACHMENT_TYPES + files.PROFILE_FILE_TYPES)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 1000, files.UPLOAD_MAX_BYTES])
def test_the_base64_limit_admits_every_payload_up_to_the_size(size):
    assert len(base64.b64encode(b"x" * size)) <= files.base64_max_length(size)
    assert len(base64.b64encode(b"x" * (size + 4))) > files.base64_max_length(size)

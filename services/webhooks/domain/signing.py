"""Webhook signatures: HMAC-SHA256 with the subscription's secret over "<timestamp>.<body>".

Header: `IMS-Signature: t=<unix seconds>,v1=<hex digest>`. A receiver recomputes the digest over the
raw body it received, compares in constant time, rejects a timestamp older (or further in the
future) than the tolerance (5 minutes), and rejects a signature it has already accepted (replay)."""
from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "IMS-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, now: float | None = None) -> str:
    """The IMS-Signature header value for body, signed now."""
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def parse(header: str) -> tuple[int, list[str]] | None:
    """(timestamp, [v1 digests]) or None when malformed."""
    if not isinstance(header, str) or len(header) > 1000:
        return None
    timestamp, digests = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            digests.append(value)
    return (timestamp, digests) if timestamp is not None and digests else None


def verify(secret: str, header: str, body: bytes, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when header signs body with secret and its timestamp is within tolerance of now."""
    parsed = parse(header)
    if parsed is None:
        return False
    timestamp, digests = parsed
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, d) for d in digests)

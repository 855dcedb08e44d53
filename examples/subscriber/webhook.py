"""Verifying IMS webhook deliveries (docs/events/README.md, Webhooks) — standalone: copy it.

Each delivery is a POST whose body is one event envelope (JSON) with the headers
  IMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
  Idempotency-Key / IMS-Event-Id: the event_id (the same on every redelivery of that event)
Accept (2xx) only when the signature matches the raw body, the timestamp is within 5 minutes, and the
signature was not seen before (replay); process each event_id once (a retried delivery may arrive
after your 2xx was lost)."""
from __future__ import annotations

import hashlib
import hmac
import threading
import time

TOLERANCE_SECONDS = 300


def verify_signature(secret: str, header: str, body: bytes, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` (IMS-Signature) signs `body` with `secret`, timestamped within tolerance."""
    if not isinstance(header, str) or len(header) > 1000:
        return False
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    stamp, digest = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or not digest:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)


class ReplayGuard:
    """Remembers accepted signatures for the tolerance window: the same request twice is a replay."""

    def __init__(self, tolerance: int = TOLERANCE_SECONDS):
        self.tolerance = tolerance
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, header: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._lock:
            for key, at in list(self._seen.items()):
                if now - at > 2 * self.tolerance:
                    del self._seen[key]
            if header in self._seen:
                return False
            self._seen[header] = now
            return True


class WebhookVerifier:
    """verify_signature + ReplayGuard + once per event_id: `check(headers, body)` -> (status, reason)."""

    def __init__(self, secret: str):
        self.secret = secret
        self.replays = ReplayGuard()
        self.processed: set[str] = set()

    def check(self, headers, body: bytes, now: float | None = None) -> tuple[int, str]:
        header = headers.get("IMS-Signature", "")
        if not verify_signature(self.secret, header, body, now):
            return 400, "bad or stale signature"
        if not self.replays.first_time(header, now):
            return 400, "replayed"
        event_id = headers.get("Idempotency-Key", "")
        if event_id in self.processed:
            return 200, "duplicate: already processed"
        self.processed.add(event_id)
        return 200, "accepted"

"""A personal iCalendar feed of an interpreter's booked assignments, at a secret, revocable URL that
phone calendars subscribe to (no cookie there): GET /cal/<secret>.ics.

Choice: the secret is random (32 bytes, URL-safe); the gateway keeps only its SHA-256 per user in a
small JSON file in the data folder (`ical-feeds.json`), replaced atomically. Revoking or renewing
replaces the hash, so the old URL answers 404 at once. A random secret rather than a signed token:
a signed token cannot be revoked without keeping state anyway, and a lost file only revokes every feed
(the safe direction). The feed carries no health data: number, languages, mode, place, times.
With several gateway hosts this file would move to the auth service (a profile field)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from datetime import datetime, timedelta, timezone

from flask import Response, abort, render_template, request, url_for

from gateway.web import current_actor, login_required, mode_label, parse_utc, rpc, web
from ims_common import config

_LOCK = threading.Lock()


def _path():
    return config.data_dir() / "ical-feeds.json"


def _load() -> dict:
    try:
        return json.loads(_path().read_text())
    except (OSError, ValueError):
        return {}


def _save(data: dict) -> None:
    tmp = _path().with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.chmod(tmp, 0o600)
    os.replace(tmp, _path())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@web.route("/calendrier/abonnement", methods=["GET", "POST"])
@login_required("interpreter")
def ical_settings():
    actor = current_actor()
    url = None
    if request.method == "POST":
        with _LOCK:
            data = _load()
            data = {h: u for h, u in data.items() if u != actor["user_id"]}
            if request.form.get("action") == "new":
                secret = secrets.token_urlsafe(32)
                data[_digest(secret)] = actor["user_id"]
                url = url_for("web.ical_feed", secret=secret, _external=True)
            _save(data)
    active = actor["user_id"] in _load().values()
    return render_template("web/ical.html", url=url, active=active)


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break of any
    kind (CRLF, LF, a bare CR from a facility name) written \\n, other control characters dropped."""
    text = re.sub(r"\r\n|\r|\n", "\n", text or "")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", text)


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1): CRLF and a space, never inside a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


@web.route("/cal/<secret>.ics")
def ical_feed(secret: str):
    if not 20 <= len(secret) <= 100:
        abort(404)
    user_id = _load().get(_digest(secret))
    if not user_id:
        abort(404)
    actor = {"user_id": user_id, "role": "interpreter", "establishment": None, "name": "", "lang": "fr",
             "correlation_id": "ical"}
    since = (datetime.now(timezone.utc) - timedelta(days=60)).date().isoformat()
    items = rpc("booking", "list_bookings", actor, {"date_from": since, "status": ["booked", "modified"],
                                                    "per_page": 200})["items"]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//IMS//Banque d'interpretes//FR", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:IMS"]
    now = _stamp(datetime.now(timezone.utc))
    for b in items:
        start, end = parse_utc(b.get("start_at")), parse_utc(b.get("end_at"))
        if not start:
            continue
        lines += ["BEGIN:VEVENT", f"UID:{b['id']}@ims", f"DTSTAMP:{now}", f"DTSTART:{_stamp(start)}",
                  f"DTEND:{_stamp(end or start + timedelta(hours=1))}",
                  "SUMMARY:" + _escape(f"{b['id']} {b.get('source_language', '')} → {b.get('target_language', '')} "
                                       f"({mode_label(b.get('mode'))})"),
                  "LOCATION:" + _escape(b.get("facility") or b.get("address") or ""),
                  "URL:" + url_for("web.booking_detail", booking_id=b["id"], _external=True), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return Response("\r\n".join(_fold(line) for line in lines) + "\r\n", mimetype="text/calendar")

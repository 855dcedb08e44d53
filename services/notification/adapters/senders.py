"""How messages leave: email over SMTP (smtplib), SMS through a provider over HTTP in Twilio's REST
format (requests), and a local outbox (JSON lines under $IMS_DATA_DIR/outbox/) as the embedded
default of both. Which ones, and their settings, are chosen by bootstrap.py from the environment.

A sender returns a provider reference (or None) and raises SendFailed; `permanent` failures (an
address refused, a 4xx other than 429) are not retried. `send(..., key=<delivery id>, again=True)`
is a send that a crash interrupted (it may or may not have gone out): the outbox writes it only if
its file does not hold it, SMTP sends it with the same Message-ID (one message to the mail system),
an SMS provider cannot tell and sends it again (at least once).
"""
from __future__ import annotations

import hashlib
import json
import smtplib
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path

import requests

from ims_common.times import utc_now_iso


class SendFailed(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class OutboxSender:
    """Appends one JSON line per message to <dir>/<channel>.jsonl: a file the developer can read."""

    _lock = threading.Lock()

    def __init__(self, directory: Path, channel: str):
        self.path = Path(directory) / f"{channel}.jsonl"

    def send(self, to: str, subject: str | None, body: str, key: str | None = None, again: bool = False) -> str | None:
        """`key`: the delivery's id, on the line; `again`: a send a crash interrupted, written only
        when no line holds its key yet (the file tells whether it went out)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": utc_now_iso(), "to": to, "body": body}
        if subject is not None:
            line["subject"] = subject
        if key is not None:
            line["id"] = key
        with self._lock:
            if again and key is not None and self._holds(key):
                return None
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return None

    def _holds(self, key: str) -> bool:
        try:
            with open(self.path, encoding="utf-8") as lines:
                return any(json.loads(text).get("id") == key for text in lines if text.strip())
        except FileNotFoundError:
            return False


class SmtpSender:
    def __init__(self, host: str, port: int = 25, tls: str = "none", user: str | None = None,
                 password: str | None = None, mail_from: str = "IMS <no-reply@localhost>", timeout: float = 20):
        if tls not in ("none", "starttls", "ssl"):
            raise ValueError(f"SMTP_TLS must be none, starttls or ssl, not {tls!r}")
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password, self.mail_from, self.timeout = user, password, mail_from, timeout

    def send(self, to: str, subject: str | None, body: str, key: str | None = None, again: bool = False) -> str | None:
        msg = EmailMessage()
        msg["From"] = self.mail_from
        msg["To"] = to
        msg["Subject"] = subject or ""
        if key is not None:
            # The same Message-ID each time this delivery is sent: a send repeated after a crash
            # (`again`) is recognised as one message by the mail system and the reader's client.
            msg["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@ims.delivery>"
        msg.set_content(body)
        try:
            if self.tls == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"recipient refused: {exc}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"smtp: {type(exc).__name__}: {exc}") from None
        return msg.get("Message-ID")


class TwilioSmsSender:
    """POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json, form To/From/Body, basic auth."""

    def __init__(self, api_url: str, account_sid: str, auth_token: str, sms_from: str, timeout: float = 15):
        self.url = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.sms_from, self.timeout = sms_from, timeout

    def send(self, to: str, subject: str | None, body: str, key: str | None = None, again: bool = False) -> str | None:
        try:
            resp = requests.post(self.url, data={"To": to, "From": self.sms_from, "Body": body},
                                 auth=self.auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SendFailed(f"sms: {type(exc).__name__}") from None
        if resp.status_code >= 300:
            try:
                detail = resp.json().get("message", "")
            except ValueError:
                detail = ""
            permanent = 400 <= resp.status_code < 500 and resp.status_code != 429
            raise SendFailed(f"sms: HTTP {resp.status_code} {detail}".strip(), permanent=permanent)
        try:
            return resp.json().get("sid")
        except ValueError:
            return None

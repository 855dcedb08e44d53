"""Real servers on loopback that messages leave to: an SMTP server (aiosmtpd) and an HTTP server
answering in Twilio's REST format (able to fail a number of times before succeeding). The
notification tests send to them directly; the browser tests start the system pointed at them."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import threading
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from ims_common.testing.system import free_port


class SmtpSink:
    def __init__(self):
        self.messages: list[dict] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from,
                                  "subject": str(msg["Subject"]), "body": msg.get_content()})
        return "250 OK"

    def to(self, address: str) -> list[dict]:
        return [mail for mail in list(self.messages) if address in mail["to"]]


class SmsProvider:
    """Twilio's Messages resource: POST /2010-04-01/Accounts/{sid}/Messages.json, form To/From/Body,
    basic auth sid:token; 201 with a message JSON, or an error JSON while `fail_next` > 0."""

    SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "test-token"

    def __init__(self):
        self.requests: list[dict] = []
        self.messages: list[dict] = []
        self.fail_next = 0
        self.fail_status = 500
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected_auth = "Basic " + base64.b64encode(f"{provider.SID}:{provider.TOKEN}".encode()).decode()
                provider.requests.append({"path": self.path, "form": form})
                if self.path != f"/2010-04-01/Accounts/{provider.SID}/Messages.json":
                    return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                if self.headers.get("Authorization") != expected_auth:
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                if provider.fail_next > 0:
                    provider.fail_next -= 1
                    return self._answer(provider.fail_status, {"code": 20500, "message": "Internal Server Error",
                                                               "status": provider.fail_status})
                sid = "SM" + uuid.uuid4().hex
                provider.messages.append({"to": form.get("To"), "from": form.get("From"), "body": form.get("Body")})
                self._answer(201, {"sid": sid, "account_sid": provider.SID, "to": form.get("To"),
                                   "from": form.get("From"), "body": form.get("Body"), "status": "queued"})

            def _answer(self, status, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def to(self, number: str) -> list[dict]:
        return [sms for sms in list(self.messages) if sms["to"] == number]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def smtp_sink():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.host, sink.port = controller.hostname, controller.port
    try:
        yield sink
    finally:
        controller.stop()


@contextmanager
def sms_provider():
    provider = SmsProvider()
    try:
        yield provider
    finally:
        provider.close()

"""Messages to people (temporary password, reset link, MFA code, password changed).

Secrets never go into events: auth hands them to the notification service over RPC
(`notification.send_account_message(kind, recipient, params)`, docs/contracts.md).

Port: AccountMessenger.send(kind, recipient, params); recipient {user_id, email, mobile, lang}.
Adapters: NotificationRpcMessenger (production), RecordingMessenger (tests, in memory),
FileMessenger (a JSON line per message: the service test's recording fake)."""
from __future__ import annotations

import json
import logging
import threading
from typing import Optional

KINDS = ("temporary_password", "reset_link", "mfa_code", "password_changed")
log = logging.getLogger("auth.messenger")


class AccountMessenger:
    def send(self, kind: str, recipient: dict, params: dict) -> None:  # pragma: no cover
        raise NotImplementedError


class RecordingMessenger(AccountMessenger):
    def __init__(self):
        self.sent: list[dict] = []

    def send(self, kind, recipient, params):
        assert kind in KINDS, kind
        self.sent.append({"kind": kind, "recipient": dict(recipient), "params": dict(params)})

    def last(self, kind: Optional[str] = None, user_id: Optional[str] = None) -> dict:
        for message in reversed(self.sent):
            if (kind is None or message["kind"] == kind) and (
                    user_id is None or message["recipient"].get("user_id") == user_id):
                return message
        raise LookupError(f"no {kind} message sent")


class FileMessenger(AccountMessenger):
    """Appends each message as a JSON line to a file (for tests of the running service only)."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()

    def send(self, kind, recipient, params):
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, "recipient": recipient, "params": params}) + "\n")


class NotificationRpcMessenger(AccountMessenger):
    """Calls notification.send_account_message over nameko RPC. A failure is logged (never with the
    params: they hold the secret) and does not undo what the caller did: the person can ask again
    (forgotten password, new code) or a coordinator can reset the account."""

    def __init__(self, amqp_uri: str, timeout: float = 10.0):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout

    def send(self, kind, recipient, params):
        from nameko.standalone.rpc import ClusterRpcProxy   # the adapter alone depends on nameko
        try:
            with ClusterRpcProxy(self.config, timeout=self.timeout) as rpc:
                rpc.notification.send_account_message(kind, recipient, params)
        except Exception as exc:  # noqa: BLE001
            log.error("account message %s for %s not handed to notification: %s",
                      kind, recipient.get("user_id"), type(exc).__name__)


def messenger_for(setting: str, amqp_uri: str) -> AccountMessenger:
    """setting (IMS_AUTH_MESSENGER): "file:/path" (tests of the running service) or empty
    (notification over RPC)."""
    if setting.startswith("file:"):
        return FileMessenger(setting[len("file:"):])
    return NotificationRpcMessenger(amqp_uri)

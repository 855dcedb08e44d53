"""Wiring of the notification service: the one place that reads the environment and builds
NotificationApp with its senders. service.py, cli.py and the tests all build the app here.

Environment:
  NOTIFICATION_STORE_URL (default: SQLite under IMS_DATA_DIR), AMQP_URI (the CLI's RPC),
  IMS_PUBLIC_URL (links in messages), NOTIFICATION_MAX_ATTEMPTS (5),
  NOTIFICATION_RETRY_BASE_SECONDS (30; the n-th retry waits base * 2**(n-1)),
  NOTIFICATION_DIGEST_AT (07:00, America/Montreal),
  NOTIFICATION_CLOCK_OFFSET_SECONDS: for tests only, shifts the service's clock so a test can run
  reminders without waiting a day. Leave it unset in production.
  Email: SMTP_HOST (unset: the outbox $IMS_DATA_DIR/outbox/email.jsonl), SMTP_PORT (25),
         SMTP_TLS (none|starttls|ssl, default none), SMTP_USER, SMTP_PASSWORD,
         MAIL_FROM (default "IMS <no-reply@localhost>").
  SMS:   SMS_PROVIDER (twilio|outbox, default outbox: $IMS_DATA_DIR/outbox/sms.jsonl),
         SMS_API_URL (default https://api.twilio.com), SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Mapping

from ims_common import config
from ims_common.nameko_ext import Stores
from ims_common.times import utc_now
from services.notification.adapters.senders import OutboxSender, SmtpSender, TwilioSmsSender
from services.notification.app import NotificationApp

SERVICE = "notification"


def senders_from_env(env: Mapping | None = None) -> dict:
    """{"email": sender, "sms": sender} as the environment configures them."""
    env = os.environ if env is None else env
    outbox = Path(env.get("IMS_DATA_DIR") or config.data_dir()) / "outbox"
    if env.get("SMTP_HOST"):
        email = SmtpSender(env["SMTP_HOST"], int(env.get("SMTP_PORT") or 25), env.get("SMTP_TLS") or "none",
                           env.get("SMTP_USER") or None, env.get("SMTP_PASSWORD") or None,
                           env.get("MAIL_FROM") or "IMS <no-reply@localhost>")
    else:
        email = OutboxSender(outbox, "email")
    provider = (env.get("SMS_PROVIDER") or "outbox").lower()
    if provider == "twilio":
        sms = TwilioSmsSender(env.get("SMS_API_URL") or "https://api.twilio.com", env.get("SMS_ACCOUNT_SID", ""),
                              env.get("SMS_AUTH_TOKEN", ""), env.get("SMS_FROM", ""))
    elif provider == "outbox":
        sms = OutboxSender(outbox, "sms")
    else:
        raise ValueError(f"SMS_PROVIDER must be twilio or outbox, not {provider!r}")
    return {"email": email, "sms": sms}


def clock_from_env(env: Mapping | None = None) -> Callable[[], datetime]:
    env = os.environ if env is None else env
    offset = timedelta(seconds=float(env.get("NOTIFICATION_CLOCK_OFFSET_SECONDS") or 0))
    return (lambda: utc_now() + offset) if offset else utc_now


def build(stores, env: Mapping | None = None, *, senders: dict | None = None,
          clock: Callable[[], datetime] | None = None, public_url: str | None = None,
          pause: Callable[[], None] | None = None, **settings) -> NotificationApp:
    """The app over `stores` (an ims_common.nameko_ext.Stores), configured by `env` (default: the
    process environment); tests pass their senders, clock, public URL and settings instead."""
    env = os.environ if env is None else env
    options = {"max_attempts": int(env.get("NOTIFICATION_MAX_ATTEMPTS") or 5),
               "retry_base_seconds": float(env.get("NOTIFICATION_RETRY_BASE_SECONDS") or 30),
               "digest_at": env.get("NOTIFICATION_DIGEST_AT") or "07:00", **settings}
    return NotificationApp(
        stores.doc_store, senders=senders if senders is not None else senders_from_env(env),
        clock=clock or clock_from_env(env),
        public_url=public_url or env.get("IMS_PUBLIC_URL") or config.public_url(),
        pause=pause or (lambda: None), **options)


def build_for_service(stores) -> NotificationApp:
    """In the nameko service: a batch of due timers and deliveries yields to arriving events."""
    import eventlet
    return build(stores, pause=eventlet.sleep)


def open_stores() -> Stores:
    """The service's stores as the environment names them (for the CLI)."""
    return Stores(config.store_url(SERVICE), durable_docs=True)


def amqp_uri() -> str:
    return config.amqp_uri()

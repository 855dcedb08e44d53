"""The one place of the auth service that reads the environment and wires the objects: `build` gives
the Auth use cases (services/auth/app/) over the stores, for service.py, cli.py and the tests alike.

Environment: AUTH_STORE_URL (else a SQLite file under IMS_DATA_DIR), IMS_JWT_KEYS (else var/jwt.key),
IMS_ACCESS_TOKEN_TTL (900 s), IMS_REFRESH_TOKEN_TTL (7 days), IMS_PUBLIC_URL (the links in messages),
IMS_AUTH_MESSENGER ("file:/path" in tests; unset: notification over RPC at AMQP_URI),
IMS_PROFILE_EXPIRY_INTERVAL (how often expired eligibility documents are looked for, 60 s)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Callable, Optional

from ims_common import config
from services.auth.adapters.messenger import AccountMessenger, RecordingMessenger, messenger_for
from services.auth.adapters.passwords import PasswordHasher
from services.auth.adapters.strength import zxcvbn_rating
from services.auth.app import (Accounts, Auth, DocumentExpiry, EventsFeed, Login, Management, MfaSetup, Passwords,
                               ProfileFiles, Profiles, Revocations, Sessions, SystemTokens)
from services.auth.app.context import Context, Settings

REFRESH_TTL_DEFAULT = 3600             # idle timeout: an hour without a refresh ends the session
SESSION_LIFETIME_DEFAULT = 12 * 3600   # a shift: no refresh carries a session beyond it


def refresh_ttl_seconds() -> int:
    return int(os.environ.get("IMS_REFRESH_TOKEN_TTL", str(REFRESH_TTL_DEFAULT)))


def session_lifetime_seconds() -> int:
    return int(os.environ.get("IMS_SESSION_LIFETIME", str(SESSION_LIFETIME_DEFAULT)))


def step_up_window_seconds() -> int:
    return int(os.environ.get("IMS_STEP_UP_WINDOW", "600"))


def expiry_interval_seconds() -> float:
    try:
        return max(0.5, float(os.environ.get("IMS_PROFILE_EXPIRY_INTERVAL", "60")))
    except ValueError:
        return 60.0


def settings_from_env() -> Settings:
    return Settings(keys=config.jwt_keys, access_ttl=config.access_token_ttl_seconds,
                    refresh_ttl=refresh_ttl_seconds, public_url=config.public_url,
                    session_lifetime=session_lifetime_seconds, step_up_window=step_up_window_seconds)


def messenger_from_env() -> AccountMessenger:
    return messenger_for(os.environ.get("IMS_AUTH_MESSENGER", ""), config.amqp_uri())


def build(event_store, doc_store, blob_store=None, *, clock: Optional[Callable[[], datetime]] = None,
          hasher: Optional[PasswordHasher] = None, messenger: Optional[AccountMessenger] = None,
          estimator=zxcvbn_rating, settings: Optional[Settings] = None) -> Auth:
    """The use cases over the given stores. What is not given comes from the environment (settings),
    or is the plain default (argon2id with its default cost, a messenger that only records)."""
    ctx = Context(event_store, doc_store, blob_store,
                  clock=clock or (lambda: datetime.now(timezone.utc)), hasher=hasher or PasswordHasher(),
                  messenger=messenger if messenger is not None else RecordingMessenger(),
                  estimator=estimator, settings=settings or settings_from_env())
    sessions = Sessions(ctx)
    login = Login(ctx, sessions)
    accounts = Accounts(ctx)
    management = Management(ctx, sessions, accounts)
    profiles = Profiles(ctx)
    return Auth(ctx=ctx, accounts=accounts, login=login, sessions=sessions, mfa=MfaSetup(ctx, sessions),
                passwords=Passwords(ctx, sessions, login, management), management=management,
                profiles=profiles, files=ProfileFiles(ctx, profiles), expiry=DocumentExpiry(ctx, profiles),
                revocations=Revocations(ctx), system_tokens=SystemTokens(ctx), events=EventsFeed(ctx))


def for_service(stores) -> Auth:
    """What the nameko service runs: its stores, argon2 off the event loop, messages to notification;
    the read models caught up with what was appended while it was down (or by the CLI)."""
    from services.auth.adapters.passwords import OffHubHasher
    auth = build(stores.event_store, stores.doc_store, stores.blob_store, hasher=OffHubHasher(),
                 messenger=messenger_from_env())
    auth.catch_up()
    return auth


def for_cli():
    """(Auth over the store of AUTH_STORE_URL, a function closing the stores)."""
    from ims_common.stores import open_blob_store, open_document_store, open_event_store
    url = config.store_url("auth")
    stores = (open_event_store(url), open_document_store(url), open_blob_store(url))

    def close() -> None:
        for store in stores:
            store.close()

    return build(*stores), close

"""Configuration from the environment, with working local defaults. Nothing here connects."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def data_dir() -> Path:
    # Asked on every request (the JWT key file lives there): made once per value of IMS_DATA_DIR.
    given = os.environ.get("IMS_DATA_DIR")
    made = _made_dirs.get(given)
    if made is None:
        made = Path(given) if given else Path(__file__).resolve().parent.parent / "var"
        made.mkdir(parents=True, exist_ok=True)
        _made_dirs[given] = made
    return made


_made_dirs: dict = {}


def store_url(service: str) -> str:
    """<SERVICE>_STORE_URL, e.g. BOOKING_STORE_URL=mongodb://mongo:27017/ims_booking;
    default: one SQLite file per service under the data folder."""
    return os.environ.get(f"{service.upper()}_STORE_URL") or f"sqlite:///{data_dir() / (service + '.sqlite3')}"


def jwt_keys() -> list[tuple[str, str]]:
    """Signing keys as [(kid, secret)], newest first: IMS_JWT_KEYS="kid2:secret2,kid1:secret1".
    Default: a key generated once into the data folder (never committed)."""
    raw = os.environ.get("IMS_JWT_KEYS")
    if raw:
        keys = []
        for part in raw.split(","):
            kid, _, secret = part.strip().partition(":")
            if kid and secret:
                keys.append((kid, secret))
        if keys:
            return keys
    # Asked on every request by the gateway: the file is looked at again after a second, and read
    # again only when it has changed.
    global _file_keys
    folder, now = os.environ.get("IMS_DATA_DIR"), time.monotonic()
    if _file_keys[0] == folder and now - _file_keys[1] < 1.0:
        return list(_file_keys[3])
    path = data_dir() / "jwt.key"
    if not path.exists():
        path.write_text("local1:" + secrets.token_urlsafe(48))
        path.chmod(0o600)
    mtime = path.stat().st_mtime_ns
    keys = _file_keys[3] if _file_keys[0] == folder and _file_keys[2] == mtime else None
    if keys is None:
        kid, _, secret = path.read_text().strip().partition(":")
        keys = ((kid, secret),)
    _file_keys = (folder, now, mtime, keys)      # one assignment: threads see old or new, whole
    return list(keys)


_file_keys: tuple = (object(), 0.0, None, ())


def access_token_ttl_seconds() -> int:
    return int(os.environ.get("IMS_ACCESS_TOKEN_TTL", "900"))


def public_url() -> str:
    return os.environ.get("IMS_PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")

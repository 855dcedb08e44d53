"""Wiring of the webhooks service: the one place that reads the environment and builds WebhooksApp
with its HTTP adapter. service.py, cli.py and the tests all build the app here.

Environment: WEBHOOKS_STORE_URL (default: SQLite under IMS_DATA_DIR), WEBHOOKS_ALLOWED_NETWORKS
(comma-separated CIDRs endpoints may be registered in or resolve to besides public addresses and
loopback, e.g. the health network's 10.0.0.0/8)."""
from __future__ import annotations

import functools
import os
from datetime import datetime
from typing import Callable, Mapping

from ims_common import config
from ims_common.nameko_ext import Stores
from ims_common.times import utc_now
from services.webhooks.adapters.http import http_post
from services.webhooks.app import Send, WebhooksApp
from services.webhooks.domain.subscriptions import parse_networks

SERVICE = "webhooks"


def allowed_networks(env: Mapping | None = None) -> tuple:
    return parse_networks((os.environ if env is None else env).get("WEBHOOKS_ALLOWED_NETWORKS"))


def build(stores, env: Mapping | None = None, *, send: Send | None = None,
          clock: Callable[[], datetime] = utc_now) -> WebhooksApp:
    """The app over `stores` (an ims_common.nameko_ext.Stores); tests pass their own `send`."""
    networks = allowed_networks(env)
    return WebhooksApp(stores.doc_store, send=send or functools.partial(http_post, networks=networks),
                       clock=clock, networks=networks)


def open_stores() -> Stores:
    """The service's stores as the environment names them (for the CLI)."""
    return Stores(config.store_url(SERVICE))

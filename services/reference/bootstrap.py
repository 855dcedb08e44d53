"""The one place the reference service reads its environment and wires its objects; used by
service.py, cli.py and the tests alike.

  REFERENCE_STORE_URL      its store (default: sqlite under IMS_DATA_DIR, ims_common.config)
  REFERENCE_DEFAULT_SET    "on" (default): the bank's default set (services/reference/data/) is loaded
                           at start, adding only the items that do not exist yet; "off": not loaded"""
from __future__ import annotations

import logging
import os

from ims_common import config
from ims_common.nameko_ext import Stores
from services.reference.adapters.default_set import default_files
from services.reference.app import ReferenceApp

log = logging.getLogger(__name__)


def defaults_wanted() -> bool:
    return os.environ.get("REFERENCE_DEFAULT_SET", "on").strip().lower() not in ("off", "0", "no", "false")


def build(stores, clock=None, load_defaults: bool | None = None) -> ReferenceApp:
    """The app over the service's stores, its read model caught up, the default set loaded once."""
    app = ReferenceApp(stores.event_store, stores.doc_store, clock=clock)
    app.catch_up()
    if defaults_wanted() if load_defaults is None else load_defaults:
        added = app.load_defaults(default_files())
        if any(added.values()):
            log.info("default reference data loaded: %s", added)
    return app


def open_stores(url: str | None = None) -> Stores:
    """The stores at `url`, else at the service's configured store URL (the CLI, the tests)."""
    return Stores(url or config.store_url("reference"), durable_docs=False)

"""Wiring of the payroll service: the one place that reads the environment (through
ims_common.config) and builds PayrollApp with its adapters. service.py, cli.py and the tests all
build the app here.

Environment: PAYROLL_STORE_URL (default: SQLite under IMS_DATA_DIR), AMQP_URI (the CLI's RPC to
booking and auth)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ims_common import config
from ims_common.nameko_ext import Stores
from ims_common.times import utc_now
from services.payroll.adapters.pdf import statement_pdf
from services.payroll.app import PayrollApp

SERVICE = "payroll"


def build(stores, clock: Callable[[], datetime] = utc_now) -> PayrollApp:
    """The app over `stores` (an ims_common.nameko_ext.Stores: what the service's Runtime opens)."""
    return PayrollApp(stores.doc_store, stores.event_store, clock=clock, render_pdf=statement_pdf)


def open_stores() -> Stores:
    """The service's stores as the environment names them (for the CLI)."""
    return Stores(config.store_url(SERVICE))


def amqp_uri() -> str:
    return config.amqp_uri()

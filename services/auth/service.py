"""The auth nameko service: a thin shell over AuthApp (services/auth/app.py)."""
from __future__ import annotations

from eventlet import tpool
from nameko.rpc import rpc

from ims_common.nameko_ext import Runtime
from services.auth.adapters.passwords import PasswordHasher
from services.auth.app import AuthApp


class OffHubHasher(PasswordHasher):
    """argon2 spends a good fraction of a second of CPU outside the GIL: run it in eventlet's OS
    thread pool, so one login does not stall every other call of this service meanwhile."""

    def hash(self, password):
        return tpool.execute(super().hash, password)

    def verify(self, password_hash, password):
        return tpool.execute(super().verify, password_hash, password)


def _build(stores) -> AuthApp:
    app = AuthApp(stores.event_store, stores.doc_store, hasher=OffHubHasher())
    app.catch_up()  # the read model follows events appended while the service was down (or by the CLI)
    return app


class AuthService:
    name = "auth"

    app = Runtime("auth", _build)

    @rpc
    def login(self, identifier, password, client_ip=None):
        return self.app.login(identifier, password, client_ip)

    @rpc
    def create_account(self, actor, fields):
        return self.app.create_account(actor, fields)

    @rpc
    def get_account(self, actor, user_id):
        return self.app.get_account(actor, user_id)

    @rpc
    def list_accounts(self, actor, query=None):
        return self.app.list_accounts(actor, query)

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def health(self):
        return self.app.health()

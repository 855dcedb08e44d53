"""The auth nameko service: a thin shell over AuthApp (services/auth/app.py)."""
from __future__ import annotations

import base64
import os
import logging

from eventlet import tpool
from nameko.rpc import rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime
from services.auth.adapters.passwords import PasswordHasher
from services.auth.app import AuthApp
from services.auth.adapters.messenger import messenger_from_env
from services.auth.security import AuthSecurity
from services.auth.profiles import attach as attach_profiles, expiry_interval_seconds


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
    attach_profiles(app, stores.blob_store)  # app.profiles: services/auth/profiles.py
    app.security = AuthSecurity(app, messenger_from_env(os.environ))  # services/auth/security.py
    return app


class AuthService:
    name = "auth"

    app = Runtime("auth", _build)

    @rpc
    def login(self, identifier, password, client_ip=None):
        return self.app.security.login(identifier, password, client_ip)

    @rpc
    def create_account(self, actor, fields):
        return self.app.security.create_account(actor, fields)

    @rpc
    def get_account(self, actor, user_id):
        return self.app.security.get_account(actor, user_id)

    @rpc
    def list_accounts(self, actor, query=None):
        return self.app.security.list_accounts(actor, query)

    # ---- account security (services/auth/security.py) ----

    @rpc
    def mfa_send(self, mfa_token, channel):
        return self.app.security.mfa_send(mfa_token, channel)

    @rpc
    def mfa_verify(self, mfa_token, code, channel=None):
        return self.app.security.mfa_verify(mfa_token, code, channel)

    @rpc
    def mfa_setup(self, actor, choice, mobile=None):
        return self.app.security.mfa_setup(actor, choice, mobile)

    @rpc
    def mfa_confirm(self, actor, code):
        return self.app.security.mfa_confirm(actor, code)

    @rpc
    def totp_enrol(self, actor):
        return self.app.security.totp_enrol(actor)

    @rpc
    def totp_confirm(self, actor, code):
        return self.app.security.totp_confirm(actor, code)

    @rpc
    def refresh(self, refresh_token):
        return self.app.security.refresh(refresh_token)

    @rpc
    def logout(self, refresh_token):
        return self.app.security.logout(refresh_token)

    @rpc
    def change_password(self, actor, current_password, new_password, confirm_password):
        return self.app.security.change_password(actor, current_password, new_password, confirm_password)

    @rpc
    def forgot_password(self, email, client_ip=None):
        return self.app.security.forgot_password(email, client_ip)

    @rpc
    def reset_password(self, token, new_password, confirm_password):
        return self.app.security.reset_password(token, new_password, confirm_password)

    @rpc
    def manage_account(self, actor, user_id, action):
        """action: deactivate, reactivate, unlock, reset-mfa (coordinators)."""
        actions = {"deactivate": self.app.security.deactivate, "reactivate": self.app.security.reactivate,
                   "unlock": self.app.security.unlock, "reset-mfa": self.app.security.reset_mfa}
        if action not in actions:
            from ims_common.errors import ValidationFailed
            raise ValidationFailed("validation.failed", fields={"action": ["field.not_one_of"]})
        return actions[action](actor, user_id)

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def health(self):
        return self.app.health()

    # ---- profiles (services/auth/profiles.py) ----

    @rpc
    def get_profile(self, actor, user_id):
        return self.app.profiles.get_profile(actor, user_id)

    @rpc
    def update_profile(self, actor, user_id, patch):
        return self.app.profiles.update_profile(actor, user_id, patch)

    @rpc
    def list_profiles(self, actor, query=None):
        return self.app.profiles.list_profiles(actor, query)

    @rpc
    def add_profile_file(self, actor, user_id, fields):
        return self.app.profiles.add_file(actor, user_id, fields)

    @rpc
    def delete_profile_file(self, actor, user_id, file_id):
        return self.app.profiles.delete_file(actor, user_id, file_id)

    @rpc
    def get_profile_file(self, actor, user_id, file_id):
        meta, content = self.app.profiles.get_file(actor, user_id, file_id)
        return {"meta": meta, "content_base64": base64.b64encode(content).decode("ascii")}

    # Accounts whose eligibility document marked "inactive if not valid" expired become unavailable
    # for offers (once per document). Not eager: the service's first seconds belong to start-up.
    @timer(interval=expiry_interval_seconds())
    def expire_documents(self):
        try:
            self.app.profiles.expire_documents()
        except Exception:
            logging.getLogger(__name__).warning("document expiry check failed; will retry", exc_info=True)

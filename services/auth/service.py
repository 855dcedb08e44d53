"""The auth nameko service: a thin shell over the use cases (services/auth/app/, wired by bootstrap.py)."""
from __future__ import annotations

import base64
import logging

from nameko.rpc import rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime
from services.auth import bootstrap


class AuthService:
    name = "auth"

    app = Runtime("auth", bootstrap.for_service)

    # ---- signing in, sessions ----

    @rpc
    def login(self, identifier, password, client_ip=None):
        return self.app.login.login(identifier, password, client_ip)

    @rpc
    def mfa_send(self, mfa_token, channel):
        return self.app.login.mfa_send(mfa_token, channel)

    @rpc
    def mfa_verify(self, mfa_token, code, channel=None):
        return self.app.login.mfa_verify(mfa_token, code, channel)

    @rpc
    def refresh(self, refresh_token):
        return self.app.sessions.refresh(refresh_token)

    @rpc
    def session_policy(self):
        return self.app.sessions.policy()

    @rpc
    def logout(self, refresh_token, actor=None):
        return self.app.sessions.logout(refresh_token, actor)

    @rpc
    def revocations_in_force(self):
        return self.app.revocations.in_force()

    # ---- accounts ----

    @rpc
    def create_account(self, actor, fields):
        return self.app.accounts.create_account(actor, fields)

    @rpc
    def get_account(self, actor, user_id):
        return self.app.accounts.get_account(actor, user_id)

    @rpc
    def list_accounts(self, actor, query=None):
        return self.app.accounts.list_accounts(actor, query)

    @rpc
    def manage_account(self, actor, user_id, action):
        """action: deactivate, reactivate, unlock, reset-mfa (coordinators)."""
        return self.app.management.manage(actor, user_id, action)

    # ---- the person's own security ----

    @rpc
    def mfa_setup(self, actor, choice, mobile=None, current_password=None):
        return self.app.mfa.mfa_setup(actor, choice, mobile, current_password)

    @rpc
    def mfa_confirm(self, actor, code):
        return self.app.mfa.mfa_confirm(actor, code)

    @rpc
    def totp_enrol(self, actor, current_password=None):
        return self.app.mfa.totp_enrol(actor, current_password)

    @rpc
    def totp_confirm(self, actor, code):
        return self.app.mfa.totp_confirm(actor, code)

    @rpc
    def change_password(self, actor, current_password, new_password, confirm_password):
        return self.app.passwords.change_password(actor, current_password, new_password, confirm_password)

    @rpc
    def forgot_password(self, email, client_ip=None):
        return self.app.passwords.forgot_password(email, client_ip)

    @rpc
    def reset_password(self, token, new_password, confirm_password):
        return self.app.passwords.reset_password(token, new_password, confirm_password)

    # ---- profiles ----

    @rpc
    def get_profile(self, actor, user_id):
        return self.app.profiles.get_profile(actor, user_id)

    @rpc
    def update_profile(self, actor, user_id, patch, current_password=None):
        return self.app.profiles.update_profile(actor, user_id, patch, current_password)

    @rpc
    def list_profiles(self, actor, query=None):
        return self.app.profiles.list_profiles(actor, query)

    @rpc
    def add_profile_file(self, actor, user_id, fields):
        return self.app.files.add_file(actor, user_id, fields)

    @rpc
    def delete_profile_file(self, actor, user_id, file_id):
        return self.app.files.delete_file(actor, user_id, file_id)

    @rpc
    def get_profile_file(self, actor, user_id, file_id):
        meta, content = self.app.files.get_file(actor, user_id, file_id)
        return {"meta": meta, "content_base64": base64.b64encode(content).decode("ascii")}

    # ---- events ----

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events.events_since(position, limit)

    @rpc
    def health(self):
        return self.app.events.health()

    # Accounts whose eligibility document marked "inactive if not valid" expired become unavailable
    # for offers (once per document). Not eager: the service's first seconds belong to start-up.
    @timer(interval=bootstrap.expiry_interval_seconds())
    def expire_documents(self):
        try:
            self.app.expiry.expire_documents()
        except Exception:
            logging.getLogger(__name__).warning("document expiry check failed; will retry", exc_info=True)

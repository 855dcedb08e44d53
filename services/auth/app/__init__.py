"""The auth service's use cases, one module each, over the ports of app/context.py. `Auth` holds them
as services/auth/bootstrap.py wires them; service.py and cli.py call into it."""
from __future__ import annotations

from dataclasses import dataclass

from services.auth.app.accounts import Accounts
from services.auth.app.context import Context
from services.auth.app.document_expiry import DocumentExpiry
from services.auth.app.events import EventsFeed
from services.auth.app.login import Login
from services.auth.app.management import Management
from services.auth.app.mfa_setup import MfaSetup
from services.auth.app.passwords import Passwords
from services.auth.app.profile_files import ProfileFiles
from services.auth.app.profiles import Profiles
from services.auth.app.revocations import Revocations
from services.auth.app.sessions import Sessions
from services.auth.app.system_tokens import SystemTokens


@dataclass
class Auth:
    ctx: Context
    accounts: Accounts
    login: Login
    sessions: Sessions
    mfa: MfaSetup
    passwords: Passwords
    management: Management
    profiles: Profiles
    files: ProfileFiles
    expiry: DocumentExpiry
    revocations: Revocations
    system_tokens: SystemTokens
    events: EventsFeed

    def catch_up(self) -> None:
        """The read models follow what was appended while the service was down (or by the CLI)."""
        self.ctx.view.catch_up()
        self.profiles.catch_up()
        self.revocations.catch_up()

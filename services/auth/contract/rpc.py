"""The auth service's RPC surface: its nameko service name and each method, read or write. Callers
name methods through this table; a read changes nothing (the gateway may keep its answer; see
gateway/read_cache.py), a write may."""
from __future__ import annotations

SERVICE = "auth"
READ, WRITE = "read", "write"

METHODS: dict[str, str] = {
    "login": WRITE,
    "create_account": WRITE,
    "get_account": READ,
    "list_accounts": READ,
    "mfa_send": WRITE,
    "mfa_verify": WRITE,
    "mfa_setup": WRITE,
    "mfa_confirm": WRITE,
    "totp_enrol": WRITE,
    "totp_confirm": WRITE,
    "refresh": WRITE,
    "logout": WRITE,
    "revocations_in_force": READ,
    "session_policy": READ,
    "change_password": WRITE,
    "forgot_password": WRITE,
    "reset_password": WRITE,
    "manage_account": WRITE,
    "events_since": READ,
    "health": READ,
    "get_profile": READ,
    "update_profile": WRITE,
    "list_profiles": READ,
    "add_profile_file": WRITE,
    "delete_profile_file": WRITE,
    "get_profile_file": READ,
}
READS = frozenset(m for m, kind in METHODS.items() if kind == READ)

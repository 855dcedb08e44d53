"""The payroll service's RPC surface: its nameko service name and each method, read or write. Callers
name methods through this table; a read changes nothing (the gateway may keep its answer; see
gateway/read_cache.py), a write may."""
from __future__ import annotations

SERVICE = "payroll"
READ, WRITE = "read", "write"

METHODS: dict[str, str] = {
    "get_remuneration": READ,
    "list_periods": READ,
    "get_period": READ,            # (actor, period_id): the period and the provisional amounts it holds
    "close_period": WRITE,         # (actor, period_id, carry=None): carry = keys of provisional amounts
    "statement": READ,
    "export_csv": READ,
    "statement_pdf": READ,
    "billing": READ,
    "list_policies": READ,
    "add_policy": WRITE,
    "cancellation_terms": READ,     # (actor, start_at, mode=None): a cancellation now, under the policy in force
    "totals": READ,
    "events_since": READ,
    "received": READ,
    "parked": READ,
    "health": READ,
}
READS = frozenset(m for m, kind in METHODS.items() if kind == READ)

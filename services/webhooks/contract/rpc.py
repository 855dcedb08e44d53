"""The webhooks service's RPC surface: its nameko service name and each method, read or write. Callers
name methods through this table; a read changes nothing (the gateway may keep its answer; see
gateway/read_cache.py), a write may."""
from __future__ import annotations

SERVICE = "webhooks"
READ, WRITE = "read", "write"

METHODS: dict[str, str] = {
    "create_subscription": WRITE,
    "list_subscriptions": READ,
    "get_subscription": READ,
    "delete_subscription": WRITE,
    "deliveries": READ,
    "parked": READ,
    "health": READ,
}
READS = frozenset(m for m, kind in METHODS.items() if kind == READ)

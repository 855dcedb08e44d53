"""The reference service's RPC surface: its nameko service name and each method, read or write.
Callers name methods through this table; a read changes nothing, a write may.

Every method but events_since and health takes the caller's actor first. `kind` is one of
vocabulary.KINDS; `item_id` is the item's id (vocabulary.item_id: the code, or "<establishment>:<code>"
for the kinds scoped to an establishment)."""
from __future__ import annotations

SERVICE = "reference"
READ, WRITE = "read", "write"

METHODS: dict[str, str] = {
    "list_items": READ,        # (actor, kind, query) -> {"items", "total", "page", "per_page"}
    "get_item": READ,          # (actor, kind, item_id) -> item
    "item_history": READ,      # (actor, kind, item_id) -> {"item", "history": [change, ...]} (staff)
    "create_item": WRITE,      # (actor, kind, fields) -> item (staff)
    "change_item": WRITE,      # (actor, kind, item_id, fields) -> item; fields may hold "version" (staff)
    "deactivate_item": WRITE,  # (actor, kind, item_id, reason=None) -> item (staff)
    "reactivate_item": WRITE,  # (actor, kind, item_id) -> item (staff)
    "import_csv": WRITE,       # (actor, kind, {"text" | "content_base64", "dry_run"}) -> report (staff)
    "events_since": READ,      # (position, limit=500) -> [envelope, ...]
    "health": READ,
}
READS = frozenset(m for m, kind in METHODS.items() if kind == READ)

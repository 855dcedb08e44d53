"""The reference service's event types, their schema versions and upcasters, and the stream ids.
Each item is one stream, `reference-<kind>-<id>`; the events are published on the `reference.events`
topic exchange (routing key = type). Every event names its actor (the envelope's actor:
{user_id, role, name}); the bank's default set is loaded by the actor DEFAULTS_ACTOR.

  ReferenceItemCreated      {kind, id, item: {code, label_fr, label_en, <kind's fields>}}
  ReferenceItemChanged      {kind, id, item: <the whole item after the change>,
                             changes: {field: [before, after], ...}}
  ReferenceItemDeactivated  {kind, id, reason: str | null}
  ReferenceItemReactivated  {kind, id}

An item's fields are those of vocabulary.fields_of(kind); a consumer ignores fields it does not know
(a later version may add some with an upcaster here)."""
from __future__ import annotations

from typing import Callable

from ims_common.upcasting import upcast as _upcast

CREATED = "ReferenceItemCreated"
CHANGED = "ReferenceItemChanged"
DEACTIVATED = "ReferenceItemDeactivated"
REACTIVATED = "ReferenceItemReactivated"
TYPES = (CREATED, CHANGED, DEACTIVATED, REACTIVATED)

EXCHANGE = "reference.events"
STREAM_PREFIX = "reference-"
DEFAULTS_ACTOR = {"user_id": "system", "role": "system", "name": "Jeu de données par défaut"}

CURRENT: dict[str, int] = {CREATED: 1, CHANGED: 1, DEACTIVATED: 1, REACTIVATED: 1}

# (type, from_version) -> function(data) -> data of from_version + 1
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {}


def stream_id(kind: str, item_id: str) -> str:
    return f"{STREAM_PREFIX}{kind}-{item_id}"


def current_version(event_type: str) -> int:
    return CURRENT.get(event_type, 1)


def upcast(envelope: dict) -> dict:
    """The envelope with its data brought to the current version of its type (see ims_common.upcasting)."""
    return _upcast(envelope, CURRENT, UPCASTERS)

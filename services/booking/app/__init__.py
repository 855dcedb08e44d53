"""The booking application: its use cases over the ports (event store, document store, blob
store), no nameko here. Each module holds one use case or group; BookingApp gathers them for the
nameko shell (service.py), the CLI and the tests, all wired by bootstrap.build()."""
from __future__ import annotations

from .commands import CREATED_BY_CALL, NUMBER_HINTS, Commands
from .escalation import Escalation
from .event_feed import EventFeed
from .matching import Matching
from .queries import Queries
from .queue import Queue


class BookingApp(Commands, Queries, Matching, Queue, Escalation, EventFeed):
    """create_booking, execute (commands.py); get_booking, assigned_contact, list_bookings,
    get_attachment (queries.py); candidates (matching.py); to_assign (queue.py); escalate
    (escalation.py); events_since, public_events_since (event_feed.py); catch_up, health (base.py)."""


__all__ = ["BookingApp", "NUMBER_HINTS", "CREATED_BY_CALL"]

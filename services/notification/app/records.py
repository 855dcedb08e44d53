"""The collections of notification's document store. BOOKINGS and the profiles are copies (a
rebuild refills them from booking's and auth's events); DELIVERIES and TIMERS are the service's own
records (what was sent, what is due)."""
from __future__ import annotations

BOOKINGS = "notification_bookings"
DELIVERIES = "deliveries"
TIMERS = "notification_timers"

DELIVERY_FIELDS = ("id", "event_id", "kind", "booking_id", "recipient", "channel", "lang", "subject",
                   "status", "attempts", "attempt_times", "next_attempt_at", "sent_at", "error", "created_at")

"""Real servers on loopback for the notification tests (ims_common/testing/message_sinks.py): an SMTP
server (aiosmtpd) and an HTTP server answering in Twilio's REST format."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ims_common.testing import message_sinks


@pytest.fixture
def smtp():
    with message_sinks.smtp_sink() as sink:
        yield sink


@pytest.fixture
def sms_provider():
    with message_sinks.sms_provider() as provider:
        yield provider


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    # A Monday at 12:00 in Montreal (16:00 UTC)
    return Clock(datetime(2025, 9, 1, 16, 0, tzinfo=timezone.utc))

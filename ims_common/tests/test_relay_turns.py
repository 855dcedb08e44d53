"""Two processes' relays on one SQLite event store (two booking processes side by side) take turns:
while events are appended, every event is published once, in position order."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from ims_common.envelope import NewEvent
from ims_common.stores import open_event_store
from ims_common.testing.wait import wait_until

RELAY = textwrap.dedent("""
    import os, sys, time
    from ims_common.relay import OutboxRelay
    from ims_common.stores import open_event_store

    class ToFile:                       # one line per published event, appended atomically
        def __init__(self, path, tag):
            self.fd, self.tag = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT), tag
        def publish(self, event):
            time.sleep(0.001)           # a broker round trip, so the two runs overlap
            os.write(self.fd, f"{event.position} {self.tag}\\n".encode())

    url, out, stop, tag = sys.argv[1:]
    relay = OutboxRelay(open_event_store(url), ToFile(out, tag))
    while not os.path.exists(stop):
        if not relay.publish_pending(limit=7):
            time.sleep(0.005)
    relay.publish_pending()
""")


def test_two_relays_on_one_store_publish_each_event_once_in_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'booking.sqlite3'}"
    out, stop = tmp_path / "published.txt", tmp_path / "stop"
    store = open_event_store(url)
    relays = [subprocess.Popen([sys.executable, "-c", RELAY, url, str(out), str(stop), tag]) for tag in "AB"]
    try:
        for i in range(300):
            store.append(f"booking-{i}", 0, [NewEvent("BookingCreated", {"n": i})])
        wait_until(lambda: not store.unpublished(1), timeout=60)
        stop.touch()
        for relay in relays:
            assert relay.wait(60) == 0
    finally:
        for relay in relays:
            relay.kill()
    lines = [line.split() for line in out.read_text().splitlines()]
    assert [int(p) for p, _ in lines] == list(range(1, 301))     # once each, in order (whichever
                                                                 # relay had the turn)
    store.close()

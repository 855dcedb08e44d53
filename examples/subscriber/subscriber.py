"""An outside system following the IMS booking events with plain kombu (no nameko).

  python -m examples.subscriber.subscriber --amqp-uri amqp://user:pw@host/ --api-url https://ims.example \
      --token-file token.txt --state position.json --queue finance.booking-events

At start it declares its own durable queue bound to the `booking.public` topic exchange (so nothing
published from then on is missed), catches up from its last position through
GET /api/v1/events?after=<position> (a system token with scope events:read), then follows the live
events, skipping those at or below its position (duplicates and what the catch-up already gave). A
live event past a gap (a missed message) triggers a catch-up first. Its position is saved to a local
file after each event, so a restart resumes where it stopped. It prints each event as a JSON line.

--with-context: a subscriber the bank granted the booking's context category (a token with
events:context too, read permission on booking.public.context) follows `booking.public.context`
instead; its catch-up then carries the category as well (docs/events/README.md)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path
from typing import Callable

import requests
from kombu import Connection, Exchange, Queue

EXCHANGE = "booking.public"
CONTEXT_EXCHANGE = "booking.public.context"


class PositionFile:
    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> int:
        try:
            return int(json.loads(self.path.read_text())["position"])
        except FileNotFoundError:
            return 0

    def save(self, position: int) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps({"position": position}))
        os.replace(tmp, self.path)          # atomic: never a half-written position


class Subscriber:
    def __init__(self, amqp_uri: str, api_url: str, token: str, state: Path, queue: str,
                 handle: Callable[[dict], None], page_size: int = 200, exchange: str = EXCHANGE):
        self.amqp_uri = amqp_uri
        self.api = api_url.rstrip("/") + "/api/v1/events"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.state = PositionFile(state)
        self.position = self.state.load()
        self.handle = handle
        self.page_size = page_size
        self.exchange = Exchange(exchange, type="topic", durable=True)
        self.queue = Queue(queue, self.exchange, routing_key="#", durable=True, auto_delete=False)
        self.caught_up = threading.Event()

    def _process(self, event: dict) -> None:
        if event["position"] <= self.position:
            return                             # a duplicate, or already had through the catch-up
        self.handle(event)
        self.position = event["position"]
        self.state.save(self.position)

    def catch_up(self) -> int:
        """Every public event after our position, page by page; returns how many were handled."""
        handled = 0
        while True:
            after = self.position
            resp = self.http.get(self.api, params={"after": after, "limit": self.page_size}, timeout=30)
            resp.raise_for_status()
            page = resp.json()
            for event in page["items"]:
                before = self.position
                self._process(event)
                handled += self.position != before
            if page["next_after"] <= after:
                return handled                 # nothing after `after`: up to date
            if page["next_after"] > self.position:
                # the page ended with types outside the contract: move past them
                self.position = page["next_after"]
                self.state.save(self.position)

    def _on_message(self, body, message) -> None:
        event = body if isinstance(body, dict) else json.loads(body)
        if event["position"] > self.position + 1:
            self.catch_up()                    # a gap: fetch what we missed, in order
        self._process(event)
        message.ack()                          # after the position is saved: at least once

    def run(self, stop: threading.Event) -> None:
        with Connection(self.amqp_uri, heartbeat=30) as conn:
            bound = self.queue(conn.default_channel)
            self.exchange(conn.default_channel).declare()
            bound.declare()                    # queue first: live events wait while we catch up
            self.catch_up()
            self.caught_up.set()
            with conn.Consumer(self.queue, callbacks=[self._on_message], accept=["json"], prefetch_count=100):
                while not stop.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                    except TimeoutError:
                        conn.heartbeat_check()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.subscriber.subscriber",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--amqp-uri", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    parser.add_argument("--state", type=Path, default=Path("position.json"))
    parser.add_argument("--queue", required=True, help="your own durable queue, e.g. finance.booking-events")
    parser.add_argument("--with-context", action="store_true",
                        help=f"follow {CONTEXT_EXCHANGE} (granted subscribers only)")
    args = parser.parse_args(argv)
    subscriber = Subscriber(args.amqp_uri, args.api_url, args.token_file.read_text().strip(), args.state,
                            args.queue, handle=lambda e: print(json.dumps(e, ensure_ascii=False), flush=True),
                            exchange=CONTEXT_EXCHANGE if args.with_context else EXCHANGE)
    try:
        subscriber.run(threading.Event())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The gateway's view of auth's revocations: the access tokens that no longer count though still
signed and unexpired (sign-out, deactivation, a password or second-factor change, a refresh family
revoked, a system token revoked). The rule is auth's (services/auth/contract/revocations.py); each
request costs a dictionary lookup or two.

Fed, per gunicorn worker, by the gateway's event feed (gateway/event_feed.py): auth's SessionsRevoked
and SystemTokenRevoked as they are published, and, each time the feed (re)connects, first the list
still in force (auth's RPC `revocations_in_force`), asked once the feed's queue is bound so that
nothing published meanwhile falls between the two.

Without a view the gateway does not trust a token it cannot check (fail closed), within bounds:
- a worker that has never loaded the list makes a request wait for it (GATEWAY_REVOCATIONS_WAIT,
  5 s), then answers 503;
- after the feed is lost, the last view serves on for GATEWAY_REVOCATIONS_GRACE seconds (10): a
  broker restart does not sign everyone out, and while the broker is away nobody can sign out,
  deactivate or change a password anyway (those go to auth over the same broker); past that, 503
  until the feed is back and the list reloaded."""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable, Optional

from services.auth.contract.revocations import RevocationList

log = logging.getLogger("gateway.revocations")


class Unavailable(Exception):
    """No view of the revocations that can be trusted: the token cannot be checked."""


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


class RevocationView:
    def __init__(self, start: Optional[Callable[[], None]] = None, wait: Optional[float] = None,
                 grace: Optional[float] = None, clock: Callable[[], float] = time.monotonic,
                 always_trusted: bool = False):
        """start: starts the feed that feeds this view (called on first use). always_trusted: a view
        with no feed at all (tests over a fake RPC), fed by `apply` only."""
        self.revocations = RevocationList()
        self.start = start
        self.wait = _seconds("GATEWAY_REVOCATIONS_WAIT", 5.0) if wait is None else wait
        self.grace = _seconds("GATEWAY_REVOCATIONS_GRACE", 10.0) if grace is None else grace
        self._clock = clock
        self._always = always_trusted
        self._ready = threading.Event()     # the list was loaded since the feed last connected
        self._lost_at: Optional[float] = None

    # ---- what the event feed calls ----

    def loaded(self, entries) -> None:
        """The feed is bound and the list in force is loaded: the view is whole again."""
        self.revocations.load(entries)
        self.revocations.prune(time.time())
        self._lost_at = None
        self._ready.set()
        log.info("revocations in force loaded (%d) in worker %d", len(self.revocations), os.getpid())

    def apply(self, event_type: str, data) -> None:
        self.revocations.apply(event_type, data)

    def feed_lost(self) -> None:
        if self._ready.is_set():
            self._lost_at = self._clock()
            self._ready.clear()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    # ---- what each request calls ----

    def revoked(self, claims: dict) -> bool:
        """Whether auth revoked the (verified) token; Unavailable when that cannot be known."""
        if not (self._always or self._ready.is_set()):
            self._when_not_ready()
        return self.revocations.revoked(claims)

    def _when_not_ready(self) -> None:
        lost_at = self._lost_at
        if lost_at is not None:
            if self._clock() - lost_at <= self.grace:
                return                       # the last view, for a bounded while
            raise Unavailable()
        if self.start is not None:
            self.start()
        if not self._ready.wait(self.wait):
            raise Unavailable()

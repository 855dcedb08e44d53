"""Wait on a condition with a deadline (tests never sleep a fixed time to wait)."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10, interval: float = 0.02) -> T:
    """Poll predicate until it returns a truthy value, and return that value.
    Raises TimeoutError when the deadline passes (exceptions of predicate propagate)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            name = getattr(predicate, "__name__", predicate)
            raise TimeoutError(f"condition not met within {timeout}s: {name}")
        time.sleep(interval)

"""The locks shared by the processes of one service (ims_common/locks.py): exclusive across real
processes on one SQLite store, released when the holder is killed with SIGKILL, re-entrant in its
thread; the MongoDB lease taken, refused, expired, taken over and noticed as lost."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading

import mongomock
import pytest

from ims_common.locks import LockLost, LockTimeout, _Lease, check_name
from ims_common.stores import open_document_store, open_event_store

HOLDER = textwrap.dedent("""
    import sys
    from ims_common.stores import open_document_store
    lock = open_document_store(sys.argv[1]).lock(sys.argv[2])
    lock.acquire()
    print("held", flush=True)
    sys.stdin.read()      # until the test kills it
""")


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'svc.sqlite3'}"


def hold_in_another_process(url: str, name: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, url, name], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_held_by_another_process_until_it_is_killed(url):
    docs = open_document_store(url)
    lock = docs.lock("projector.booking")
    other = hold_in_another_process(url, "projector.booking")
    try:
        assert not lock.acquire(timeout=0.3)
        with lock.attempt() as taken:
            assert not taken
        with pytest.raises(LockTimeout):
            with lock.hold(0.1):
                pass
        with docs.lock("relay").attempt() as taken:         # another name: free
            assert taken
        other.send_signal(signal.SIGKILL)
        other.wait()
        assert lock.acquire(timeout=10)                     # the kernel let go with the process
        lock.release()
    finally:
        other.kill()
        other.wait()
        docs.close()


def test_one_lock_per_store_and_name_in_a_process_reentrant_in_its_thread(url):
    docs, events = open_document_store(url), open_event_store(url)
    lock = docs.lock("payroll")
    assert events.lock("payroll") is lock                   # the same file: the same lock
    entered = threading.Event()

    def other_thread():
        with lock:
            entered.set()

    with lock:
        with lock:                                          # re-entrant
            worker = threading.Thread(target=other_thread)
            worker.start()
            assert not entered.wait(0.3)                    # the other thread waits for both exits
        assert not entered.is_set()
    worker.join(10)
    assert entered.is_set()
    other = hold_in_another_process(url, "payroll")         # released across processes too
    other.kill()
    other.wait()
    docs.close()
    events.close()


def test_a_mongodb_lease_is_exclusive_expires_and_is_noticed_lost():
    locks = mongomock.MongoClient().db["locks"]
    now = [1000.0]
    first, second = (_Lease(locks, "relay", seconds=30, clock=lambda: now[0]) for _ in range(2))
    assert first.try_take() and first.try_take()            # ours: taken again (renewed)
    assert not second.try_take()
    first.give_back()
    assert second.try_take() and not first.try_take()
    now[0] += 31                                            # second died holding it: expired
    assert first.try_take()
    with pytest.raises(LockLost):
        second.keep()                                       # it wakes up: lost, it must stop
    now[0] += 11
    first.keep()                                            # renewed past a third of its life
    now[0] += 25
    assert not second.try_take()
    second.give_back()                                      # not its own: nothing happens
    assert locks.find_one({"_id": "relay"})["owner"] == first._owner


def test_lock_names_are_plain():
    assert check_name("webhooks.endpoint.wh_0af3") == "webhooks.endpoint.wh_0af3"
    for bad in ("", "../etc", "A", "x/y", "x" * 200, None):
        with pytest.raises(ValueError):
            check_name(bad)

"""A service's RPC (nameko RpcProxy) waits for its reply at most RPC_TIMEOUT seconds (ims_common.nameko_ext):
a reply lost while RabbitMQ restarts must not hold a worker, and the locks it holds, forever."""
from __future__ import annotations

import time
from types import SimpleNamespace

import eventlet
import pytest
from nameko import rpc as nameko_rpc
from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import SingleThreadedReplyListener

import ims_common.nameko_ext  # noqa: F401  (installs the timed reply events)


def listener(timeout):
    fake = SimpleNamespace(_reply_events={}, container=SimpleNamespace(config={"RPC_TIMEOUT": timeout}))
    return fake, nameko_rpc.ReplyListener.get_reply_event


def test_a_lost_reply_raises_rpc_timeout_and_forgets_the_call():
    fake, get_reply_event = listener(0.2)
    event = get_reply_event(fake, "cid-1")
    assert fake._reply_events == {"cid-1": event}
    started = time.monotonic()
    with pytest.raises(RpcTimeout):
        nameko_rpc.RpcReply(event).result()
    assert 0.15 < time.monotonic() - started < 2
    assert fake._reply_events == {}


def test_a_reply_in_time_is_returned():
    fake, get_reply_event = listener(5)
    event = get_reply_event(fake, "cid-2")
    eventlet.spawn_after(0.05, event.send, {"result": 42, "error": None})
    assert nameko_rpc.RpcReply(event).result() == 42


def test_an_outer_deadline_is_not_turned_into_rpc_timeout():
    fake, get_reply_event = listener(5)
    event = get_reply_event(fake, "cid-3")
    outer = eventlet.Timeout(0.1)
    with pytest.raises(eventlet.Timeout) as raised:
        try:
            event.wait()
        finally:
            outer.cancel()
    assert raised.value is outer


def test_standalone_proxies_keep_their_own_reply_events():
    assert SingleThreadedReplyListener.get_reply_event is not nameko_rpc.ReplyListener.get_reply_event

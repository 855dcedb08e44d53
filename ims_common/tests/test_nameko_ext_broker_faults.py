"""nameko_ext against a broker that goes away: a service's RPC waits for its reply at most RPC_TIMEOUT seconds
(a reply lost while RabbitMQ restarts must not hold a worker, and its locks, for ever), and a consumer
connection lost behind the consume loop is reconnected with its consumers."""
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


def test_a_consumer_connection_replaced_behind_the_consume_loop_is_a_lost_connection():
    """kombu's Connection reopens itself silently (without the consumers) once an ack found the socket
    dead: the QueueConsumer's loop must then reconnect as after any lost connection."""
    from kombu import Connection
    from nameko.messaging import QueueConsumer

    from ims_common.nameko_ext import ConsumerConnectionReplaced

    class Transport:
        connected = True

    consumer = QueueConsumer()
    consumer._consumers = {"provider": object()}  # something to consume: on_iteration does not stop
    first = Transport()
    kombu_connection = SimpleNamespace(_connection=first)
    consumer.on_consume_ready(kombu_connection, None, [])
    consumer.on_iteration()  # the connection consumers were declared on: fine
    kombu_connection._connection = Transport()  # reopened behind the loop's back
    with pytest.raises(ConsumerConnectionReplaced):
        consumer.on_iteration()
    assert issubclass(ConsumerConnectionReplaced, Connection("amqp://").connection_errors)

    consumer.on_consume_ready(kombu_connection, None, [])  # reconnected by ConsumerMixin.run
    consumer.on_iteration()
    kombu_connection._connection.connected = False  # closed by a failed ack
    with pytest.raises(ConsumerConnectionReplaced):
        consumer.on_iteration()

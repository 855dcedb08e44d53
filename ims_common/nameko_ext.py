"""nameko dependency providers shared by every service: the stores, the application object, and the
outbox relay running beside them in the service's process."""
from __future__ import annotations

import logging
from functools import partialmethod

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko import containers as nameko_containers
from nameko import messaging as nameko_messaging
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher
from nameko.exceptions import RpcTimeout

from ims_common import config
from ims_common.relay import KombuPublisher, OutboxRelay
from ims_common.stores import open_blob_store, open_document_store, open_event_store

log = logging.getLogger(__name__)


class _PatientReplyPublisher(Publisher):
    """RPC replies retried through a broker restart (about a minute): nameko's default policy
    (3 quick retries) gives up while RabbitMQ restarts, and a reply that cannot be sent kills the
    whole container, i.e. the service process (found by tests/fault/test_broker_restart.py)."""
    retry_policy = {"max_retries": 25, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 3}
    # No publisher confirm per reply: it cost every RPC a second broker round trip and guards little
    # (the caller's reply queue dies with the caller's connection; a lost reply is a caller timeout,
    # and commands carry a call id, so retrying one is safe).
    use_confirms = False


class _PatientResponder(nameko_rpc.Responder):
    publisher_cls = _PatientReplyPublisher

    def send_response(self, result, exc_info):
        try:
            return super().send_response(result, exc_info)
        except (OSError, KombuError, AMQPError):  # broker still away: the caller times out instead
            log.warning("RPC reply lost (broker unreachable); the service goes on", exc_info=True)
            return result, exc_info


nameko_rpc.Responder = _PatientResponder  # what RpcConsumer.handle_result builds for each reply


def _tolerate_dead_socket(method):
    """nameko's QueueConsumer ignores amqp's ConnectionError on ack/requeue but not a socket error
    (ConnectionResetError while RabbitMQ restarts), which then kills the container. The broker
    requeues an unacknowledged message of a dead connection anyway; handlers are idempotent."""
    def guarded(self, message):
        try:
            return method(self, message)
        except OSError:
            log.warning("ack/requeue lost with the broker connection; the broker redelivers")
    return guarded


nameko_messaging.QueueConsumer.ack_message = _tolerate_dead_socket(nameko_messaging.QueueConsumer.ack_message)
nameko_messaging.QueueConsumer.requeue_message = _tolerate_dead_socket(
    nameko_messaging.QueueConsumer.requeue_message)


class ConsumerConnectionReplaced(ConnectionResetError):
    """The QueueConsumer's broker connection died outside its consume loop (see below)."""


def _remember_consuming_connection(on_consume_ready):
    def remembered(self, connection, channel, consumers, **kwargs):
        self._ims_connection, self._ims_transport = connection, connection._connection
        return on_consume_ready(self, connection, channel, consumers, **kwargs)
    return remembered


def _check_consuming_connection(on_iteration):
    """A worker's ack on the consumer's connection (ack_message above) can be the first to find the
    socket dead: amqp then marks that connection closed, the consume loop's next drain_events asks
    kombu's Connection for its `.connection`, and kombu silently opens a *new* one (max_retries=1)
    once RabbitMQ is back, without the consumers. The loop then drains an idle connection for ever:
    the service runs but takes no RPC or event again (the broker-restart fault test, 1 run in 3).
    Checked before each drain: a connection other than the one consumers were declared on, or a
    closed one, is a lost connection, which kombu's ConsumerMixin.run handles (reconnects, declares
    the queues and consumers again)."""
    def checked(self):
        connection = getattr(self, "_ims_connection", None)
        if connection is not None:
            transport = self._ims_transport
            if connection._connection is not transport or not transport.connected:
                self._ims_connection = self._ims_transport = None
                raise ConsumerConnectionReplaced("the consumer's broker connection was lost")
        return on_iteration(self)
    return checked


nameko_messaging.QueueConsumer.on_consume_ready = _remember_consuming_connection(
    nameko_messaging.QueueConsumer.on_consume_ready)
nameko_messaging.QueueConsumer.on_iteration = _check_consuming_connection(nameko_messaging.QueueConsumer.on_iteration)

# The consume loop notices a cancel or stop request only between two waits for the broker; kombu's
# default wait (1 s) made a graceful stop, which takes three such turns, last 3 s or more.
CONSUME_WAIT = 0.2
nameko_messaging.QueueConsumer.consume = partialmethod(nameko_messaging.QueueConsumer.consume,
                                                       safety_interval=CONSUME_WAIT)


RPC_TIMEOUT_CONFIG_KEY = "RPC_TIMEOUT"
DEFAULT_RPC_TIMEOUT = 30.0


class _TimedReplyEvent(Event):
    """The reply of an RPC made by a service (nameko's RpcProxy), awaited for at most `timeout`
    seconds, then RpcTimeout. nameko 2.14 waits forever, and a reply is lost for good when RabbitMQ
    restarts between request and reply: the caller's reply queue (not durable) is gone until its
    consumer reconnects, so the answer of a request that survived in the durable rpc-<service> queue
    is unroutable. A worker waiting forever, e.g. an event handler filling a gap with events_since
    while it holds the projector's lock, then blocks every later event worker until the worker pool
    is full and the service stops answering RPC at all (tests/fault/test_broker_restart.py)."""

    def __init__(self, listener, correlation_id: str, timeout: float):
        super().__init__()
        self._listener, self._correlation_id, self._timeout = listener, correlation_id, timeout

    def wait(self, timeout=None):
        seconds = self._timeout if timeout is None else timeout
        deadline = eventlet.Timeout(seconds)
        try:
            return super().wait()
        except eventlet.Timeout as exc:
            if exc is not deadline:  # an outer deadline (run_guarded): not ours to translate
                raise
            self._listener._reply_events.pop(self._correlation_id, None)  # a late reply is dropped
            raise RpcTimeout(f"no reply within {seconds:g} s (correlation id {self._correlation_id})") from None
        finally:
            deadline.cancel()


def _timed_get_reply_event(self, correlation_id):
    timeout = float(self.container.config.get(RPC_TIMEOUT_CONFIG_KEY) or DEFAULT_RPC_TIMEOUT)
    if getattr(self.container, "_ims_stopping", False):
        timeout = min(timeout, STOPPING_REPLY_GRACE)
    reply_event = _TimedReplyEvent(self, correlation_id, timeout)
    self._reply_events[correlation_id] = reply_event
    return reply_event


# Services' RpcProxy only: the standalone proxies (gateway, CLI, tests) have their own listener with a
# timeout of their own (nameko.standalone.rpc.SingleThreadedReplyListener overrides this method).
nameko_rpc.ReplyListener.get_reply_event = _timed_get_reply_event

STOPPING_REPLY_GRACE = 1.0


def _cut_reply_waits_on_stop(stop):
    """A graceful stop (SIGTERM) waits for running workers, and a worker waiting on another service's
    reply (a timer's catch-up through events_since) waited its whole RPC_TIMEOUT when that service
    was stopping too: its request stays in the durable rpc-<service> queue, unanswered. The webhooks
    service took 15 s to stop under `make run` 2 runs in 3. Once stopping, a reply gets at most
    STOPPING_REPLY_GRACE more seconds, then RpcTimeout (the catch-up is retried at the next start)."""
    def stopping(self):
        self._ims_stopping = True
        for listener in [ext for ext in self.subextensions if isinstance(ext, nameko_rpc.ReplyListener)]:
            for correlation_id, event in list(listener._reply_events.items()):
                eventlet.spawn_after(STOPPING_REPLY_GRACE, _give_up, listener, correlation_id, event)
        return stop(self)
    return stopping


def _give_up(listener, correlation_id: str, event) -> None:
    if not event.ready():
        listener._reply_events.pop(correlation_id, None)
        event.send_exception(RpcTimeout(f"no reply before the service stopped (correlation id {correlation_id})"))


nameko_containers.ServiceContainer.stop = _cut_reply_waits_on_stop(nameko_containers.ServiceContainer.stop)


class Stores:
    """The three stores of one service, all on the service's store URL. `durable_docs=False` when the
    service's documents are all derived from events (see open_document_store)."""

    def __init__(self, url: str, durable_docs: bool = True):
        self.event_store = open_event_store(url)
        self.doc_store = open_document_store(url, durable=durable_docs)
        self.blob_store = open_blob_store(url)

    def close(self) -> None:
        for store in (self.event_store, self.doc_store, self.blob_store):
            store.close()


class _WakingEventStore:
    """Wraps an event store so that each append wakes the relay at once instead of at its next poll."""

    def __init__(self, inner, wake):
        self._inner = inner
        self._wake = wake

    def append(self, *args, **kwargs):
        stored = self._inner.append(*args, **kwargs)
        self._wake()
        return stored

    def __getattr__(self, name):
        return getattr(self._inner, name)


class Runtime(DependencyProvider):
    """Gives each worker the service's application object, built once per container by
    `app_factory(stores)`. When `publishes`, runs the outbox relay to `<service>.events`.
    `durable_docs=False`: the service's document store holds only what its events give again (read
    models, checkpoints, copies of other services' data), so its commits skip the fsync."""

    POLL_SECONDS = 0.5

    def __init__(self, service: str, app_factory, publishes: bool = True, durable_docs: bool = True):
        self.service = service
        self.durable_docs = durable_docs
        self.app_factory = app_factory
        self.publishes = publishes
        self.stores = None
        self.app = None
        self._running = False
        self._wakeup = Event()

    def setup(self):
        self.stores = Stores(config.store_url(self.service), durable_docs=self.durable_docs)
        if self.publishes:
            self.stores.event_store = _WakingEventStore(self.stores.event_store, self._wake)
        self.app = self.app_factory(self.stores)

    def start(self):
        self._running = True
        if self.publishes:
            self.container.spawn_managed_thread(self._relay_loop, identifier=f"{self.service}.relay")

    def stop(self):
        self._running = False
        self._wake()
        if self.stores:
            self.stores.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.app

    def _wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _relay_loop(self):
        amqp_uri = self.container.config.get("AMQP_URI", config.amqp_uri())
        # An app with `public_feeds() -> {exchange: projection(envelope) -> dict | None}` also
        # publishes those projections there (booking: services/booking/contract/public.py).
        feeds = getattr(self.app, "public_feeds", None)
        public = list(feeds().items()) if callable(feeds) else []
        relay = OutboxRelay(self.stores.event_store,
                            KombuPublisher(amqp_uri, f"{self.service}.events", public=public))
        while self._running:
            try:
                published = relay.publish_pending()
            except Exception:  # broker down: the events stay unpublished and are retried
                log.exception("outbox relay of %s failed; retrying", self.service)
                eventlet.sleep(1.0)
                continue
            if published:
                continue
            with eventlet.Timeout(self.POLL_SECONDS, False):
                self._wakeup.wait()
            self._wakeup = Event()


class KeyedWorkers(DependencyProvider):
    """Work that runs side by side per key, one worker per key at a time: every `interval` seconds
    (or when woken) `due(app)` names the keys with work, and each key without a running worker gets
    a green thread running `work(app, key)` (at most `size` at once). The webhooks service runs one
    per endpoint, so an endpoint that never answers holds up only its own deliveries. `wake()` (the
    worker's dependency) asks for a look at once. Stopping the service kills the workers (a send
    waiting on a dead endpoint ends at once; what it did not finish is done again later)."""

    def __init__(self, runtime_attr: str, due, work, interval: float = 1.0, size: int = 64):
        self.runtime_attr, self.due, self.work = runtime_attr, due, work
        self.interval, self.size = interval, size
        self._running: dict[str, object] = {}
        self._wakeup = Event()
        self._pool = None
        self._on = False

    def start(self):
        self._pool = eventlet.GreenPool(self.size)
        self._on = True
        self.container.spawn_managed_thread(self._loop, identifier=f"{self.runtime_attr}.workers")

    def stop(self):
        self._on = False
        self.wake()
        for thread in list(self._running.values()):
            thread.kill()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def _app(self):
        runtime = next(d for d in self.container.dependencies if d.attr_name == self.runtime_attr)
        return runtime.app

    def _loop(self):
        while self._on:
            try:
                for key in self.due(self._app()):
                    if key not in self._running and self._pool.free():
                        self._running[key] = thread = self._pool.spawn(self._run, key)
                        thread.link(lambda _, key=key: self._running.pop(key, None))
            except Exception:
                log.warning("%s: looking for due work failed; will retry", self.runtime_attr, exc_info=True)
            with eventlet.Timeout(self.interval, False):
                self._wakeup.wait()
            self._wakeup = Event()

    def _run(self, key: str) -> None:
        try:
            self.work(self._app(), key)
        except Exception:
            log.warning("%s: work on %s failed; will retry", self.runtime_attr, key, exc_info=True)


def run_guarded(what: str, job, *args, timeout: float = 60) -> None:
    """Runs one tick of a periodic job (a catch-up, due deliveries) under a deadline. A failure is
    logged and the next tick retries: an RPC whose reply was lost must not hang the timer for good."""
    try:
        with eventlet.Timeout(timeout):
            job(*args)
    except (Exception, eventlet.Timeout):
        log.warning("%s failed; will retry", what, exc_info=True)

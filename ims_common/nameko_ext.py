"""nameko dependency providers shared by every service: the stores, the application object, and the
outbox relay running beside them in the service's process."""
from __future__ import annotations

import logging

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko import messaging as nameko_messaging
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher

from ims_common import config
from ims_common.relay import KombuPublisher, OutboxRelay
from ims_common.stores import open_blob_store, open_document_store, open_event_store

log = logging.getLogger(__name__)


class _PatientReplyPublisher(Publisher):
    """RPC replies retried through a broker restart (about a minute): nameko's default policy
    (3 quick retries) gives up while RabbitMQ restarts, and a reply that cannot be sent kills the
    whole container, i.e. the service process (found by tests/fault/test_broker_restart.py)."""
    retry_policy = {"max_retries": 25, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 3}


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
        # An app with `public_event(envelope) -> dict | None` also publishes that public projection
        # on "<service>.public" (booking: services/booking/contract/public.py).
        project = getattr(self.app, "public_event", None)
        public = (f"{self.service}.public", project) if callable(project) else None
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


def run_guarded(what: str, job, *args, timeout: float = 60) -> None:
    """Runs one tick of a periodic job (a catch-up, due deliveries) under a deadline. A failure is
    logged and the next tick retries: an RPC whose reply was lost must not hang the timer for good."""
    try:
        with eventlet.Timeout(timeout):
            job(*args)
    except (Exception, eventlet.Timeout):
        log.warning("%s failed; will retry", what, exc_info=True)

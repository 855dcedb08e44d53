"""RPC from the gateway to the nameko services.

RpcPool keeps long-lived standalone ClusterRpcProxy connections (one reply queue each), lends each to
one thread at a time, creates them lazily (nothing connects at import or in create_app) and discards
any proxy whose state is doubtful (connection error, timeout) so the next call gets a fresh one.
ServiceClient turns what can go wrong into ims_common.errors kinds or ServiceError (502/503), so no
RPC failure becomes a bare 500. Tests inject a fake with the same `call` in place of RpcPool.
"""
from __future__ import annotations

import logging
import os
import threading
import uuid
from typing import Any, Callable, Protocol

# Imported at module load, in the importing (main) thread, on purpose: importing eventlet (which
# nameko does) from a worker thread leaves that thread impossible to join.
from nameko.exceptions import BadRequest, RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common import config
from gateway.read_cache import dumps
from ims_common.errors import IMSError

log = logging.getLogger("gateway.rpc")


class Rpc(Protocol):
    def call(self, service: str, method: str, *args: Any, timeout: float | None = None) -> Any: ...


class ServiceError(Exception):
    """A service could not answer properly: 503 (unreachable, timeout, busy) or 502 (it failed)."""

    def __init__(self, http_status: int, code: str, service: str):
        super().__init__(f"{code} ({service})")
        self.http_status = http_status
        self.code = code
        self.params = {"service": service}
        self.fields: dict = {}


class PoolExhausted(Exception):
    pass


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


class _Connection:
    """One started ClusterRpcProxy. Its timeout is the reply consumer's socket timeout, which nameko
    reads on every wait, so it can be set per call while this thread holds the connection."""

    def __init__(self, amqp_uri: str, timeout: float):
        self._standalone = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)
        self._cluster = self._standalone.start()

    def call(self, service: str, method: str, args: tuple, timeout: float) -> Any:
        self._standalone._reply_listener.queue_consumer.timeout = timeout
        return getattr(self._cluster[service], method)(*args)

    def close(self) -> None:
        try:
            self._standalone.stop()
        except Exception:  # already broken: closing is best effort
            log.debug("closing a broken RPC proxy failed", exc_info=True)


class RpcPool:
    def __init__(self, amqp_uri: str | None = None, size: int | None = None, timeout: float | None = None,
                 connect: Callable[[str, float], Any] | None = None):
        self.amqp_uri = amqp_uri or config.amqp_uri()
        self.size = size or int(_env_number("GATEWAY_RPC_POOL", 8))
        self.timeout = timeout or _env_number("GATEWAY_RPC_TIMEOUT", 10.0)
        self._connect = connect or _Connection
        self._idle: list = []
        self._created = 0
        self._cond = threading.Condition()

    def call(self, service: str, method: str, *args: Any, timeout: float | None = None) -> Any:
        timeout = timeout or self.timeout
        conn = self._acquire(timeout)
        healthy = False
        try:
            result = conn.call(service, method, args, timeout)
            healthy = True
            return result
        except (RemoteError, BadRequest):  # the service answered: the connection is fine
            healthy = True
            raise
        finally:
            self._release(conn, healthy)

    def _acquire(self, wait: float):
        with self._cond:
            if not self._idle and self._created >= self.size:
                if not self._cond.wait_for(lambda: self._idle or self._created < self.size, timeout=wait):
                    raise PoolExhausted()
            if self._idle:
                return self._idle.pop()
            self._created += 1  # reserve the slot, connect outside the lock
        try:
            return self._connect(self.amqp_uri, self.timeout)
        except BaseException:
            with self._cond:
                self._created -= 1
                self._cond.notify()
            raise

    def _release(self, conn, healthy: bool) -> None:
        if not healthy:
            conn.close()
        with self._cond:
            if healthy:
                self._idle.append(conn)
            else:
                self._created -= 1
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
            self._created -= len(idle)
        for conn in idle:
            conn.close()


class ServiceClient:
    """What the views call: `call(service, method, *args)` returning the result or raising an
    IMSError kind (the service's own error) or ServiceError."""

    def __init__(self, backend: Rpc, cache=None, feed=None):
        self.backend = backend
        self.cache = cache      # gateway/read_cache.py, fed by `feed` (gateway/event_feed.py); None: none
        # the feed also feeds the revocation view (gateway/revocations.py)
        self.feed = feed

    def call(self, service: str, method: str, *args: Any, timeout: float | None = None) -> Any:
        if self.feed is not None:
            self.feed.ensure_started()
        if self.cache is None:
            return self._call(service, method, args, timeout)
        return self.cache.call(service, method, args, lambda: self._call(service, method, args, timeout))

    def call_json(self, service: str, method: str, *args: Any, timeout: float | None = None) -> bytes:
        """call's answer as JSON bytes, for a view that sends it as it is (a kept list is not parsed
        and serialised again)."""
        if self.feed is not None:
            self.feed.ensure_started()
        if self.cache is None:
            return dumps(self._call(service, method, args, timeout))
        return self.cache.call_json(service, method, args, lambda: self._call(service, method, args, timeout))

    def _call(self, service: str, method: str, args: tuple, timeout: float | None) -> Any:
        if args and isinstance(args[0], dict) and "role" in args[0]:
            # Each call gets its own id, which RabbitMQ redelivers with the message: a service can
            # tell a redelivered command from a new one (booking does, for creations and commands).
            args = (dict(args[0], call_id=uuid.uuid4().hex), *args[1:])
        try:
            return self.backend.call(service, method, *args, timeout=timeout)
        except IMSError:
            raise
        except RemoteError as exc:
            mapped = IMSError.from_remote(exc.exc_type, exc.value)
            if mapped is not None:
                raise mapped from None
            log.error("%s.%s failed remotely: %s %s", service, method, exc.exc_type, str(exc.value)[:2000])
            raise ServiceError(502, "service.error", service) from None
        except BadRequest as exc:  # MethodNotFound, IncorrectSignature: gateway and service out of step
            log.error("%s.%s rejected the call: %r", service, method, exc)
            raise ServiceError(502, "service.error", service) from None
        except UnknownService:
            raise ServiceError(503, "service.unavailable", service) from None
        except RpcTimeout:
            log.warning("%s.%s timed out", service, method)
            raise ServiceError(503, "service.timeout", service) from None
        except PoolExhausted:
            raise ServiceError(503, "service.busy", service) from None
        except Exception as exc:  # broker down, connection reset…: answer 503, never a bare 500
            log.warning("%s.%s unreachable: %r", service, method, exc)
            raise ServiceError(503, "service.unavailable", service) from None

"""A tiny nameko service for the RPC pool tests, in a process of its own (eventlet must patch before
anything else is imported). Usage: python -m gateway.tests.echo_service AMQP_URI."""
import eventlet

eventlet.monkey_patch()

import signal  # noqa: E402
import sys  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import rpc  # noqa: E402

from ims_common.errors import Conflict  # noqa: E402


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def conflict(self):
        raise Conflict("booking.already_taken")

    @rpc
    def crash(self):
        raise KeyError("bug")

    @rpc
    def slow(self, seconds, value):
        eventlet.sleep(seconds)
        return value

    @rpc
    def health(self):
        return {"service": "echo", "ok": True}


def main() -> None:
    container = ServiceContainer(EchoService, {"AMQP_URI": sys.argv[1]})
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(container.stop))
    container.start()
    print("echo container started", flush=True)
    container.wait()


if __name__ == "__main__":
    main()

"""Runs the auth service in a nameko ServiceContainer, in a process of its own (eventlet needs its
monkey patching before anything else is imported, which a pytest process cannot do for one test).
Usage: python -m services.auth.tests.container_main AMQP_URI; the store comes from AUTH_STORE_URL.
Prints "auth container started" once started; stops cleanly on SIGTERM."""
import eventlet

eventlet.monkey_patch()

import signal  # noqa: E402
import sys  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402

from services.auth.service import AuthService  # noqa: E402


def main() -> None:
    container = ServiceContainer(AuthService, {"AMQP_URI": sys.argv[1]})
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(container.stop))
    container.start()
    print("auth container started", flush=True)
    container.wait()


if __name__ == "__main__":
    main()

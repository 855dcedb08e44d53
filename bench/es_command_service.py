"""The baseline of the command figures: the least an event-sourced command can do here. One nameko
RPC appends one event to a new stream in SQLite (the same event store, with its fsync) and the
service's outbox relay publishes it to RabbitMQ, as every IMS service does; no rules, no read model."""
from nameko.rpc import rpc

from ims_common.envelope import NewEvent
from ims_common.nameko_ext import Runtime


class _App:
    def __init__(self, stores):
        self.events = stores.event_store

    def command(self, key: str) -> dict:
        stored = self.events.append(f"bench-{key}", 0, [NewEvent("BenchCommanded", {"key": key})])
        return {"position": stored[-1].position}


class BenchCommand:
    name = "bench_command"

    app = Runtime("bench_command", _App)

    @rpc
    def command(self, key):
        return self.app.command(key)

    @rpc
    def health(self):
        return {"service": self.name, "ok": True}

"""The baseline of the command figure: a bare nameko RPC round trip (no store, no logic)."""
from nameko.rpc import rpc


class BenchEcho:
    name = "bench_echo"

    @rpc
    def ping(self, value=None):
        return value

    @rpc
    def health(self):
        return {"service": self.name, "ok": True}

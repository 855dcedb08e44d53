"""Every HTTP figure of `make bench` comes from wrk (the Debian package, a C load generator), not from
Python clients that would share the two CPUs with what they measure. Its Lua hooks report one JSON
line (rate, latency percentiles, non-2xx answers) and, for commands, send each request to the next
path of a list so that no booking is accepted twice."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MARK = "IMS-WRK "
_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('%s{"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n', MARK, summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
# Each thread takes every n-th path of the file (args: file, threads); a thread that has had an
# answer for each of its paths stops. Its connections may have sent up to one request more each,
# to its last path again: those come back as non-2xx and are not counted as done.
_PATHS = """
local made = 0
setup = function(thread)
  made = made + 1
  thread:set("tid", made)
end
init = function(args)
  paths, seen, next_one = {}, 0, 1
  local n, threads = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if n % threads == tid - 1 then paths[#paths + 1] = line end
    n = n + 1
  end
end
request = function()
  local path = paths[math.min(next_one, #paths)]
  next_one = next_one + 1
  return wrk.format(nil, path)
end
response = function(status, headers, body)
  seen = seen + 1
  if seen >= #paths then wrk.thread:stop() end
end
"""


@dataclass
class Figure:
    """What wrk measured: answers per second that were 2xx, and latency percentiles in ms."""
    rate: float
    p50: float
    p95: float
    p99: float
    requests: int
    non2xx: int
    errors: int


def available() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, *, seconds: float, connections: int = 16, threads: int = 2, method: str = "GET",
        headers: dict | None = None, body: str | None = None, paths: list[str] | None = None) -> Figure:
    """wrk against `url` for `seconds` with `connections` keep-alive connections. `paths`: one
    request per path (under url's origin), each once, split across the threads."""
    if not available():
        raise RuntimeError("wrk is not installed: apt-get install wrk (make bench installs it)")
    with tempfile.TemporaryDirectory(prefix="ims-wrk-") as tmp:
        script = Path(tmp) / "script.lua"
        lua = [f'MARK = "{MARK}"', f'wrk.method = "{method}"']
        if body is not None:
            lua.append(f"wrk.body = {json.dumps(body)}")
        for name, value in (headers or {}).items():
            lua.append(f'wrk.headers[{json.dumps(name)}] = {json.dumps(value)}')
        args = []
        if paths:
            listing = Path(tmp) / "paths.txt"
            listing.write_text("\n".join(paths) + "\n")
            lua.append(_PATHS)
            args = ["--", str(listing), str(threads)]
        lua.append(_REPORT)
        script.write_text("\n".join(lua))
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
                              "--timeout", "15s", "-s", str(script), url, *args],
                             capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith(MARK)), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-2000:]} {out.stderr[-2000:]}")
    data = json.loads(line[len(MARK):])
    ok = data["requests"] - data["non2xx"]
    return Figure(rate=ok / (data["duration_us"] / 1e6), p50=data["p50_us"] / 1000, p95=data["p95_us"] / 1000,
                  p99=data["p99_us"] / 1000, requests=data["requests"], non2xx=data["non2xx"],
                  errors=data["errors"])

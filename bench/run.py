"""`make bench`: every figure of issue 9 next to a baseline measured in the same run, on the
embedded defaults (SQLite), printed and written to bench/RESULTS.md.

    python -m bench.run [--scale default|full] [--seconds 8]
"""
from __future__ import annotations

import argparse
import calendar
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import requests

from bench import cpu, wrk
from bench.generate import generate
from ims_common.envelope import NewEvent
from ims_common.stores import open_event_store
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import free_port, running_system
from ims_common.testing.wait import wait_until

ROOT = Path(__file__).resolve().parents[1]
ROWS: list[dict] = []


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0)


def row(figure, value, baseline, unit, target, higher_is_better=True):
    ratio = (value / baseline) if baseline else float("nan")
    ROWS.append({"figure": figure, "value": f"{value:,.1f} {unit}", "baseline": baseline_text(baseline, unit),
                 "ratio": f"{ratio:.2f}" if baseline else "–", "target": target})
    print(f"{figure:<60} {value:>12,.1f} {unit:<8} baseline {baseline_text(baseline, unit):<18} "
          f"ratio {ROWS[-1]['ratio']:<6} target {target}", flush=True)


def baseline_text(baseline, unit):
    return f"{baseline:,.1f} {unit}" if baseline else "–"


def load(fn, clients: int, seconds: float):
    """fn() called in a loop by `clients` threads for `seconds`: (calls per second, latencies ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        mine = []
        state = {}
        while time.monotonic() < stop:
            t = time.perf_counter()
            fn(state)
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(worker) for _ in range(clients)]:
            f.result()
    return len(latencies) / (time.perf_counter() - started), latencies


# --- event store appends vs eventsourcing ---------------------------------------------------------

def bench_appends(work: Path, n: int = 2000):
    store = open_event_store(f"sqlite:///{work / 'appends.sqlite3'}")
    data = {"interpreter_id": "UBIBN0001", "note": "x" * 200}
    t = time.perf_counter()
    for i in range(n):
        store.append(f"booking-B{i}", 0, [NewEvent("BookingAccepted", data)])
    ims_rate = n / (time.perf_counter() - t)
    store.close()

    os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(work / "es.sqlite3"))
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Booking(Aggregate):
        @event("Accepted")
        def __init__(self, interpreter_id: str, note: str):
            self.interpreter_id = interpreter_id
            self.note = note

    es_app = Application()
    t = time.perf_counter()
    for _ in range(n):
        es_app.save(Booking(**data))
    es_rate = n / (time.perf_counter() - t)
    row("event store appends, one command per append (SQLite WAL)", ims_rate, es_rate, "appends/s",
        "≥ eventsourcing's rate")


# --- read-model rebuild ------------------------------------------------------------------------------

def bench_rebuild(data: Path, runs: int = 2):
    """The booking read model rebuilt from every event of the generated history, beside a bare scan
    of the same events through the same port, page size and collector setting (best of `runs`)."""
    import gc
    from ims_common.nameko_ext import Stores
    from services.booking.app import BookingApp
    from services.booking.app.read_model import REBUILD_PAGE
    stores = Stores(f"sqlite:///{data / 'booking.sqlite3'}")
    events = stores.event_store.last_position()

    def scan():
        position, scanned = 0, 0
        gc.disable()               # as the rebuild does
        try:
            t = time.perf_counter()
            while page := stores.event_store.read_all(position, REBUILD_PAGE):
                scanned += len(page)
                position = page[-1].position
            return scanned / (time.perf_counter() - t)
        finally:
            gc.enable()

    app = BookingApp(stores.event_store, stores.doc_store, stores.blob_store)

    def rebuild():
        t = time.perf_counter()
        replayed = app.rebuild_read_models()
        return replayed / (time.perf_counter() - t)

    scan_rate = max(scan() for _ in range(runs))
    rate = max(rebuild() for _ in range(runs))
    stores.close()
    row(f"read-model rebuild ({events:,} events; baseline: bare event scan)", rate, scan_rate, "events/s",
        "≥ 50,000 events/s")


# --- the running system: month list, accept, propagation ----------------------------------------------

def bench_system(work: Path, seconds: float, parts: set[str] | frozenset = frozenset({"list", "commands"})):
    """Every HTTP figure from wrk (bench/wrk.py), 16 connections, each beside its same-run baseline.
    parts: "list" (the cached month list, with and without the cache), "commands" (the RPC echo, the
    minimal command, accept, propagation). BENCH_PROFILE=<dir>: py-spy records the gateway's workers
    while wrk loads the cached list (profile.list.txt there, its top frames)."""
    from nameko.standalone.rpc import ClusterRpcProxy
    from tests.api_client import ApiClient, hire
    from tests.fault.conftest import Service, started_slot

    (work / "sys").mkdir()
    with isolated_vhost() as amqp, running_system(work / "sys", amqp) as system:
        email, password = system.coordinator_credentials()
        api = system.url + "/api/v1"
        coord = requests.Session()
        coord.headers["Authorization"] = "Bearer " + requests.post(
            api + "/auth/login", json={"identifier": email, "password": password}, timeout=15).json()["access_token"]
        password_i = "Correct-Horse-Battery-9!"
        # A password the coordinator gives must be replaced at the first sign-in (tests/api_client.hire).
        acc = hire(ApiClient(system.url, coord.headers["Authorization"].split(" ", 1)[1]),
                   {"email": "bench.interp@example.org", "first_name": "Bench", "last_name": "Interp",
                    "role": "interpreter"}, password_i)
        token = requests.post(api + "/auth/login", json={"identifier": acc["user_id"], "password": password_i},
                              timeout=15).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        date, start_time = started_slot()
        fields = {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
                  "establishment": "HC", "date": date, "start_time": start_time, "duration_minutes": 60}

        def new_offered(n: int) -> str:
            # numbers run to 999 a day per establishment: offers spread over the default set's prefixes
            created = coord.post(api + "/bookings", json={**fields, "establishment": PREFIXES[n // 900]},
                                 timeout=15)
            if created.status_code != 201:
                raise RuntimeError(f"booking not created: {created.status_code} {created.text[:300]}")
            bid = created.json()["id"]
            offered = coord.post(api + f"/bookings/{bid}/offer", json={"interpreter_ids": [acc["user_id"]]},
                                 timeout=15)
            offered.raise_for_status()
            return bid

        with ThreadPoolExecutor(8) as pool:
            offered = list(pool.map(new_offered, range(400)))
        # Until their events have been published and applied: each one reaching the gateway's feed
        # empties its list cache, which would measure the set-up rather than the cache.
        settle(amqp, work / "sys")

        # The month list through the gateway (its list cache warm), against a bare Flask route on
        # the same gunicorn settings serving the very bytes of that answer.
        month = (f"date_from={date[:8]}01&date_to="
                 f"{(datetime.fromisoformat(date[:8] + '28') + timedelta(days=4)).date().isoformat()}")
        answer = requests.get(f"{api}/bookings?{month}", headers=auth, timeout=15)
        answer.raise_for_status()
        bare_env = dict(same_answer(answer, work), AMQP_URI=amqp)
        with gunicorn_app("bench.bare_app:app", "/bare", bare_env) as bare_url:
            if "list" in parts:
                # The same request (its token too) to both, each after a second of warming up.
                wrk.run(bare_url, seconds=1, headers=auth)
                before = cpu.snapshot()
                bare = wrk.run(bare_url, seconds=seconds, headers=auth)
                bare_cpu = cpu.spent(before, cpu.snapshot())
                wrk.run(f"{api}/bookings?{month}", seconds=1, headers=auth)
                before = cpu.snapshot()
                listed = wrk.run(f"{api}/bookings?{month}", seconds=seconds, headers=auth)
                CPU_ROWS.append(("cached month list via gateway", listed.requests - listed.non2xx,
                                 cpu.spent(before, cpu.snapshot())))
                CPU_ROWS.append(("bare Flask answer, same bytes", bare.requests - bare.non2xx, bare_cpu))
                if os.environ.get("BENCH_PROFILE"):     # a run of its own: py-spy's samples cost CPU too
                    with profiled("gateway.wsgi", "list"):
                        wrk.run(f"{api}/bookings?{month}", seconds=seconds, headers=auth)
                    with profiled("bench.bare_app", "bare"):
                        wrk.run(bare_url, seconds=seconds, headers=auth)
                row(f"interpreter's month list via gateway, cached ({len(answer.content):,} bytes; baseline: bare "
                    "Flask, same bytes)", listed.rate, bare.rate, "req/s", "≥ 0.7 of bare")
                row("  its p99 (baseline: bare Flask p99)", listed.p99, bare.p99, "ms", "< 50 ms")
                for what, count, spent in CPU_ROWS[-2:]:
                    shares = ", ".join(f"{part} {ms:.2f}" for part, ms in cpu_per_command(spent, count))
                    print(f"CPU ms per {what}: {shares}", flush=True)
                # The same through a second gateway without the list cache: every request asks booking
                # (what a list costs after each change).
                env = {"IMS_DATA_DIR": str(system.data_dir), "AMQP_URI": amqp, "GATEWAY_LIST_CACHE": "off"}
                with gunicorn_app("gateway.wsgi:app", "/healthz", env) as health_url:
                    uncached = wrk.run(health_url.replace("/healthz", f"/api/v1/bookings?{month}"), seconds=seconds,
                                       headers=auth)
                row("  the same without the gateway's list cache (baseline: bare Flask)", uncached.rate, bare.rate,
                    "req/s", "–")
                row("  its p99 (baseline: bare Flask p99)", uncached.p99, bare.p99, "ms", "–")
            if "commands" not in parts:
                return

            # Commands: the bare RPC echo (no HTTP) and the minimal event-sourced command over HTTP
            # through the gateway's RPC pool, then accept through the gateway.
            echo = Service("bench.echo_service", "bench_echo", amqp, work).start()
            try:
                rpc_rate, rpc_lat = bare_rpc(amqp, seconds)
            finally:
                echo.stop()
            es, es_cpu = minimal_command(amqp, work, bare_url, seconds)
        row("bare nameko RPC echo, 16 callers (no HTTP, no store)", rpc_rate, 0, "calls/s", "–")
        row("  its p95", p95(rpc_lat), 0, "ms", "–")

        # Enough offers that the accepts never run dry (they may go faster than the minimal command:
        # its pace is its fsyncs', on a disk other work shares), then wait until the consumers have
        # caught up, so the accepts do not share the machine with the top-up's backlog.
        wanted = min(len(PREFIXES) * 900, int(3 * es.rate * seconds) + 64)
        if wanted > len(offered):
            with ThreadPoolExecutor(8) as pool:
                offered += list(pool.map(new_offered, range(len(offered), wanted)))
        settle(amqp, work / "sys")
        before = cpu.snapshot()
        with ExitStack() as profiles:
            # With BENCH_PROFILE, in this very run (py-spy's samples cost CPU: its figures are not the
            # ones to keep): where the Python time of each part goes.
            for pattern, name in (("gateway.wsgi", "accept.gateway"), ("services.booking", "accept.booking"),
                                  ("services.notification", "accept.notification"),
                                  ("services.payroll", "accept.payroll"), ("services.webhooks", "accept.webhooks")):
                profiles.enter_context(profiled(pattern, name))
            accepted = wrk.run(api + "/bookings/x/accept", seconds=seconds, method="POST",
                               headers={**auth, "Content-Type": "application/json"}, body="{}",
                               paths=[f"/api/v1/bookings/{bid}/accept" for bid in offered])
        # The relay's own pace: what the accepts left unpublished when the load stopped.
        outbox = open_event_store(f"sqlite:///{work / 'sys' / 'booking.sqlite3'}")
        backlog, t = len(outbox.unpublished(100_000)), time.perf_counter()
        wait_until(lambda: not outbox.unpublished(1), timeout=300, interval=0.05)
        drained = time.perf_counter() - t
        outbox.close()
        settle(amqp, work / "sys")         # the consumers' share of the accepts is spent once they have applied them
        accept_cpu = cpu.spent(before, cpu.snapshot())
        # The minimal command again, after the accepts: the disk's pace drifts with whatever else runs
        # here, so the baseline is the better of a run before and a run after them.
        with gunicorn_app("bench.bare_app:app", "/bare", bare_env) as bare_url:
            again, _ = minimal_command(amqp, work, bare_url, seconds)
        print(f"minimal event-sourced command: {es.rate:,.1f} req/s before the accepts, {again.rate:,.1f} after",
              flush=True)
        first = es
        es = max(es, again, key=lambda figure: figure.rate)
        row("minimal event-sourced command over HTTP, 16 connections, the better of a run before and after "
            f"accept ({first.rate:,.1f} and {again.rate:,.1f} req/s; baseline: bare RPC echo)", es.rate,
            rpc_rate, "req/s", "–")
        row("accept via gateway, 16 connections (baseline: minimal event-sourced command)", accepted.rate,
            es.rate, "req/s", "≥ 0.7 of the minimal command")
        row("  its p95 (baseline: minimal command p95)", accepted.p95, es.p95, "ms", "< 100 ms")
        if backlog:
            row(f"outbox relay draining the accepts' backlog ({backlog:,} events)", backlog / drained, 0,
                "events/s", "–")
        done = accepted.requests - accepted.non2xx
        CPU_ROWS.append(("accept", done, accept_cpu))
        CPU_ROWS.append(("minimal event-sourced command", first.requests - first.non2xx, es_cpu))
        for what, count, parts in CPU_ROWS[-2:]:
            shares = ", ".join(f"{part} {ms:.1f}" for part, ms in cpu_per_command(parts, count))
            print(f"CPU ms per {what}: {shares}", flush=True)

        # propagation: append -> payroll / notification recorded, once the accepts' events are applied
        # and published (single probes, one at a time: a latency, not a load).
        with ClusterRpcProxy({"AMQP_URI": amqp}) as rpc:
            delays = {"payroll": [], "notification": []}
            for _ in range(40):
                t0 = time.perf_counter()
                bid = coord.post(api + "/bookings", json=fields, timeout=15).json()["id"]
                stream = f"booking-{bid}"
                for name in delays:
                    service = getattr(rpc, name)
                    wait_until(lambda: service.received(stream), timeout=30, interval=0.005)
                    delays[name].append((time.perf_counter() - t0) * 1000)
        hop = p95(bare_hops(amqp, 40))
        row("propagation p95, command → payroll recorded (incl. HTTP command; baseline: bare publish → "
            "consume)", p95(delays["payroll"]), hop, "ms", "< 200 ms")
        row("propagation p95, command → notification recorded", p95(delays["notification"]), hop, "ms",
            "< 200 ms")


def bench_history_lists(work: Path, seconds: float, history: dict):
    """The lists on the generated history (all its bookings in booking's store): an interpreter's
    busiest month and the coordinators' queues, through the gateway (cached, and through a second
    gateway without the list cache), each beside a bare Flask route serving the same bytes. Only
    auth, booking and the gateways run: the consumers would spend the run catching up the history."""
    import jwt as pyjwt
    from ims_common import config
    from ims_common.tokens import issue_token
    from tests.fault.conftest import Service

    with isolated_vhost() as amqp:
        env = {"IMS_DATA_DIR": str(work), "AMQP_URI": amqp}
        previous = os.environ.get("IMS_DATA_DIR")
        os.environ["IMS_DATA_DIR"] = str(work)
        try:
            keys = config.jwt_keys()       # made here first: the services and gateways read the same file
        finally:
            if previous is None:
                os.environ.pop("IMS_DATA_DIR")
            else:
                os.environ["IMS_DATA_DIR"] = previous
        tokens = {role: issue_token(sub=sub, role=role, name="Bench", est=None, lang="fr", keys=keys,
                                    ttl_seconds=3600)
                  for role, sub in (("interpreter", history["busiest_interpreter"]), ("coordinator", "UBICB0001"))}
        assert pyjwt.get_unverified_header(tokens["coordinator"])["kid"]
        month = history["busiest_month"]
        last_day = calendar.monthrange(*map(int, month.split("-")))[1]
        lists = {
            f"interpreter's busiest month ({month})": ("interpreter",
                                                       f"date_from={month}-01&date_to={month}-{last_day}"),
            "coordinators' queue: to assign": ("coordinator", "queue=to_assign"),
            "coordinators' queue: to validate": ("coordinator", "queue=to_validate"),
        }
        services = [Service(f"services.{name}.service", name, amqp, work).start(timeout=300)
                    for name in ("auth", "booking")]
        try:
            with gunicorn_app("gateway.wsgi:app", "/api/v1/openapi.json", env) as cached_url, \
                    gunicorn_app("gateway.wsgi:app", "/api/v1/openapi.json",
                                 dict(env, GATEWAY_LIST_CACHE="off")) as uncached_url:
                for label, (role, query) in lists.items():
                    auth = {"Authorization": f"Bearer {tokens[role]}"}
                    url = cached_url.replace("/api/v1/openapi.json", f"/api/v1/bookings?{query}")
                    answer = requests.get(url, headers=auth, timeout=60)
                    answer.raise_for_status()
                    bare_env = same_answer(answer, work)
                    with gunicorn_app("bench.bare_app:app", "/bare", bare_env) as bare_url:
                        wrk.run(bare_url, seconds=1, headers=auth)
                        bare = wrk.run(bare_url, seconds=seconds, headers=auth)
                    wrk.run(url, seconds=1, headers=auth)
                    cached = wrk.run(url, seconds=seconds, headers=auth)
                    uncached = wrk.run(uncached_url.replace("/api/v1/openapi.json", f"/api/v1/bookings?{query}"),
                                       seconds=seconds, headers=auth)
                    total = answer.json().get("total")
                    row(f"{history['bookings']:,} bookings, {label} ({total:,} found, {len(answer.content):,} "
                        "bytes), cached (baseline: bare Flask, same bytes)", cached.rate, bare.rate, "req/s",
                        "≥ 0.7 of bare")
                    row("  its p99 (baseline: bare Flask p99)", cached.p99, bare.p99, "ms", "< 50 ms")
                    row("  without the list cache (baseline: bare Flask)", uncached.rate, bare.rate, "req/s", "–")
                    row("  its p99 (baseline: bare Flask p99)", uncached.p99, bare.p99, "ms", "–")
        finally:
            for service in services:
                service.stop()


# The default reference set's establishments (booking prefixes), ~900 bookings a day each.
PREFIXES = ["HC", "CHUM", "CUSM", "CHUSJ", "ICM", "NIM", "CCSMTL", "ODIM", "CODIM"]
CPU_ROWS: list[tuple[str, int, dict]] = []


def cpu_per_command(parts: dict[str, float], count: int) -> list[tuple[str, float]]:
    """CPU milliseconds per command by part, largest first (the machine's other work left out)."""
    named = [(part, seconds * 1000 / max(count, 1)) for part, seconds in parts.items()
             if part != "rest of the machine" and seconds > 0]
    return sorted(named, key=lambda item: -item[1])


def minimal_command(amqp: str, work: Path, bare_url: str, seconds: float) -> tuple[wrk.Figure, dict]:
    """The minimal event-sourced command over HTTP (bench/bare_app.py's /command, the gateway's RPC
    pool, bench/es_command_service.py) under wrk after a second of warm-up: its figure and the CPU
    each part spent meanwhile."""
    from tests.fault.conftest import Service
    minimal = Service("bench.es_command_service", "bench_command", amqp, work).start()
    try:
        command_url = bare_url.replace("/bare", "/command")
        json_post = {"Content-Type": "application/json"}
        wrk.run(command_url, seconds=1, method="POST", headers=json_post, body="{}")  # pool warmed
        before = cpu.snapshot()
        figure = wrk.run(command_url, seconds=seconds, method="POST", headers=json_post, body="{}")
        return figure, cpu.spent(before, cpu.snapshot())
    finally:
        minimal.stop()


def bare_rpc(amqp: str, seconds: float) -> tuple[float, list[float]]:
    """Bare nameko RPC round trips to bench_echo, 16 callers whose proxies are connected before the
    clock starts (as the gateway's pool is)."""
    from nameko.standalone.rpc import ClusterRpcProxy
    proxies = [ClusterRpcProxy({"AMQP_URI": amqp}, timeout=30) for _ in range(16)]
    idle = [p.start() for p in proxies]
    try:
        for proxy in idle:
            proxy.bench_echo.ping(1)

        def ping(state):
            if "rpc" not in state:
                state["rpc"] = idle.pop()       # list.pop is atomic
            state["rpc"].bench_echo.ping(1)
        return load(ping, 16, seconds)
    finally:
        for proxy in proxies:
            proxy.stop()


def settle(amqp: str, data: Path) -> None:
    """Until booking's outbox is published, payroll and notification have applied every booking
    event and no notification is left to send (no backlog left to share the machine with the next
    figure)."""
    from nameko.standalone.rpc import ClusterRpcProxy
    outbox = open_event_store(f"sqlite:///{data / 'booking.sqlite3'}")
    try:
        wait_until(lambda: not outbox.unpublished(1), timeout=300, interval=0.05)
    finally:
        outbox.close()
    with ClusterRpcProxy({"AMQP_URI": amqp}) as rpc:
        last = rpc.booking.health()["last_position"]
        for name in ("payroll", "notification"):
            service = getattr(rpc, name)
            wait_until(lambda: service.health()["checkpoint"] >= last, timeout=300, interval=0.2)
        wait_until(lambda: not rpc.notification.deliveries({"status": "pending", "limit": 1}),
                   timeout=300, interval=0.2)


@contextmanager
def profiled(pattern: str, name: str):
    """With BENCH_PROFILE=<dir>: py-spy records (Python frames only) every process whose command
    line holds `pattern` while the block runs (--gil: the samples of the thread holding the GIL,
    what costs CPU in Python), and writes <dir>/profile.<name>.txt: the samples' top frames, by own
    time and by time under them."""
    out_dir = os.environ.get("BENCH_PROFILE")
    spy = Path(sys.executable).with_name("py-spy")
    if not out_dir or not spy.exists():
        yield
        return
    pids = [pid for pid, (part, _) in cpu.snapshot().items() if pattern in _cmdline(pid)]
    raws = [Path(out_dir) / f"profile.{name}.{pid}.raw" for pid in pids]
    procs = [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", "200", "--gil", "--format", "raw",
                               "--nonblocking", "-o", str(raw)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for pid, raw in zip(pids, raws)]
    try:
        yield
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(30)
        (Path(out_dir) / f"profile.{name}.txt").write_text(top_frames(raws))


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def top_frames(raws: list[Path], n: int = 25) -> str:
    """py-spy's collapsed stacks summed: the frames with the most samples of their own, and under them."""
    own: dict[str, int] = {}
    under: dict[str, int] = {}
    total = 0
    for raw in raws:
        if not raw.exists():
            continue
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            if any("wait (threading.py" in f or "select (selectors.py" in f or "_wait_for_tstate_lock" in f
                   for f in frames[-3:]):
                continue                    # idle threads: waiting is not CPU
            total += int(count)
            own[frames[-1]] = own.get(frames[-1], 0) + int(count)
            for frame in set(frames):
                under[frame] = under.get(frame, 0) + int(count)
    def table(counts):
        return "\n".join(f"{100 * c / max(total, 1):5.1f} %  {f}" for f, c in
                         sorted(counts.items(), key=lambda kv: -kv[1])[:n])
    return (f"{total} busy samples\n\nown time:\n{table(own)}\n\nincluding callees:\n{table(under)}\n")


# Written by gunicorn or the HTTP layer itself, not by the app: the bare route's are gunicorn's own.
_NOT_THE_APPS = {"date", "server", "content-length", "connection", "keep-alive", "transfer-encoding"}


def same_answer(answer: requests.Response, work: Path) -> dict:
    """The environment of bench/bare_app.py serving the very bytes of `answer`: its body and the
    headers its app wrote (security headers, Cache-Control, Content-Type...)."""
    import json
    (work / "answer.body").write_bytes(answer.content)
    (work / "answer.headers.json").write_text(json.dumps(
        [(name, value) for name, value in answer.headers.items() if name.lower() not in _NOT_THE_APPS]))
    return {"BENCH_BODY_FILE": str(work / "answer.body"), "BENCH_HEADERS_FILE": str(work / "answer.headers.json")}


@contextmanager
def gunicorn_app(app: str, probe: str, env: dict | None = None):
    """An app served by gunicorn with the gateway's settings (deploy/gunicorn.conf.py, its access log
    on stdout included, as the measured gateway's) on a free port: yields the URL of `probe` once it
    answers."""
    port = free_port()
    # Its log goes to a file, as the gateway's does under the supervisor (scripts/supervisor.py).
    log = tempfile.TemporaryFile(prefix="ims-bench-gunicorn-")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", app], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, PORT=str(port), **(env or {})))
    url = f"http://127.0.0.1:{port}{probe}"
    try:
        def up():
            try:
                return requests.get(url, timeout=1).ok
            except OSError:
                return False
        wait_until(up, timeout=30)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        log.close()


def bare_hops(amqp: str, n: int) -> list[float]:
    """Latencies (ms) of a bare kombu publish (confirmed, persistent) to a queue and its consumption on
    the same broker: the floor under any event's trip from one service to another."""
    from kombu import Connection, Exchange, Queue
    exchange = Exchange("bench.bare", type="topic", durable=False, auto_delete=True)
    queue = Queue("bench.bare", exchange, routing_key="#", auto_delete=True)
    latencies = []
    with Connection(amqp, transport_options={"confirm_publish": True}) as conn:
        with conn.SimpleQueue(queue) as inbox, conn.Producer() as producer:
            for i in range(n):
                t = time.perf_counter()
                producer.publish({"i": i}, exchange=exchange, routing_key="bare", serializer="json",
                                 delivery_mode=2, declare=[exchange, queue])
                inbox.get(timeout=10).ack()
                latencies.append((time.perf_counter() - t) * 1000)
    return latencies


def write_results(scale: str, history: dict | None, loads: tuple[tuple, tuple]):
    machine = (f"{platform.platform()}, {platform.processor() or platform.machine()}, "
               f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    lines = ["# Benchmark results", "", f"Written by `make bench` (scale `{scale}`) on "
             f"{datetime.now().strftime('%Y-%m-%d %H:%M')}. Every HTTP figure is from wrk (16 connections, "
             "2 threads); each baseline is measured in the same run.", "", f"Machine: {machine}.", "",
             f"Load average (1, 5, 15 min) before: {_loads(loads[0])}; after: {_loads(loads[1])}.", ""]
    if history:
        lines += [f"History: {history['bookings']:,} bookings, {history['events']:,} events, lived through the "
                  f"booking domain and appended through the event store in {history['append_seconds']:.0f} s "
                  f"(read model built in {history.get('rebuild_seconds', 0):.0f} s).", ""]
    lines += ["| figure | value | baseline | ratio | target |", "|---|---|---|---|---|"]
    lines += [f"| {r['figure']} | {r['value']} | {r['baseline']} | {r['ratio']} | {r['target']} |" for r in ROWS]
    if CPU_ROWS:
        lines += ["", "Where each figure's CPU goes (CPU ms per answer or command, from /proc, while the load ran "
                  "and, for commands, until the consumers had applied their events):", ""]
        for what, count, parts in CPU_ROWS:
            shares = ", ".join(f"{part} {ms:.2f}" for part, ms in cpu_per_command(parts, count))
            lines.append(f"- {what} ({count:,} done): {shares}")
    # A full-scale run has its own file: its figures (the history's) are not the default run's.
    name = "RESULTS.md" if scale == "default" else f"RESULTS-{scale}.md"
    (ROOT / "bench" / name).write_text("\n".join(lines) + "\n")


def _loads(values: tuple) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _history(args, work: Path) -> dict:
    """The generated history's figures; its stores in `work`, copied from --history when given (a
    full-scale history takes minutes to generate: it can be made once and measured again)."""
    import json
    import shutil
    kept = args.history / f"history-{args.scale}.json" if args.history else None
    if kept is None or not kept.exists():
        print(f"generating history ({args.scale})…", flush=True)
        history = generate(args.history or work, args.scale)
        if kept is not None:
            kept.write_text(json.dumps(history))
    else:
        history = json.loads(kept.read_text())
    if args.history:        # a copy: the measures write to it (rebuilds, the services' own documents)
        for name in ("booking.sqlite3", "booking.sqlite3-wal"):
            if (args.history / name).exists():
                shutil.copy(args.history / name, work / name)
    print(history, flush=True)
    return history


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run")
    parser.add_argument("--scale", choices=["default", "full"], default="default")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--history", type=Path,
                        help="a folder holding a history generated earlier at this scale (made there if empty)")
    parser.add_argument("--parts", default="appends,rebuild,lists,system",
                        help="which figures, comma-separated (appends, rebuild, lists: on the history, system; "
                             "or of system only list: the cached month list, commands: echo, minimal, accept)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    before = os.getloadavg()
    history = None
    with tempfile.TemporaryDirectory(prefix="ims-bench-") as tmp:
        work = Path(tmp)
        if parts & {"rebuild", "lists"}:
            history = _history(args, work)
        if "appends" in parts:
            bench_appends(work)
        if "rebuild" in parts:
            bench_rebuild(work)
        if "lists" in parts and history:
            bench_history_lists(work, args.seconds, history)
        if wanted := parts & {"system", "list", "commands"}:
            bench_system(work, args.seconds, {"list", "commands"} if "system" in wanted else wanted)
    write_results(args.scale, history, (before, os.getloadavg()))
    print(f"load average before {_loads(before)}, after {_loads(os.getloadavg())}")
    print("wrote bench/" + ("RESULTS.md" if args.scale == "default" else f"RESULTS-{args.scale}.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

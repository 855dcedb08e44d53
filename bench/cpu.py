"""Where a figure's CPU goes: the CPU time (user + system, from /proc) each part spent while a load
ran, by part (gateway, each service, the broker). Only the processes the bench started count (the
descendants of its own process), and the broker, which it shares with whatever else runs here."""
from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
# The first pattern found in a process's command line names its part.
PARTS = (("wrk", "load generator (wrk)"), ("bench.bare_app", "bare Flask (gunicorn)"),
         ("gunicorn", "gateway (gunicorn)"), ("beam.smp", "broker (RabbitMQ)"),
         ("services.booking", "booking"), ("services.payroll", "payroll"),
         ("services.notification", "notification"), ("services.webhooks", "webhooks"),
         ("services.auth", "auth"), ("services.reference", "reference"), ("bench.", "baseline service"))


def _processes():
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        yield int(entry.name), int(fields[1]), cmdline, (int(fields[11]) + int(fields[12])) / _TICK


def part_of(cmdline: str) -> str:
    return next((name for pattern, name in PARTS if pattern in cmdline), "rest of the machine")


def snapshot() -> dict[int, tuple[str, float]]:
    procs = list(_processes())
    children: dict[int, list[int]] = {}
    for pid, ppid, _, _ in procs:
        children.setdefault(ppid, []).append(pid)
    mine, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        mine.add(pid)
        todo += children.get(pid, [])
    return {pid: (part_of(cmd), seconds) for pid, _, cmd, seconds in procs
            if pid in mine and pid != os.getpid() or "beam.smp" in cmd}


def spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per part between two snapshots (a process started meanwhile counts from zero)."""
    parts: dict[str, float] = {}
    for pid, (part, seconds) in after.items():
        previous = before.get(pid)
        delta = seconds - (previous[1] if previous and previous[0] == part else 0.0)
        parts[part] = parts.get(part, 0.0) + max(delta, 0.0)
    return parts

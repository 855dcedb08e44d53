"""GET /healthz: asks each service's health() with a short timeout, all at once, so one hung
service costs one timeout, not four."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app, jsonify

from gateway.openapi import documented
from gateway.rpc import ServiceError
from gateway.schemas.responses import HealthSchema
from ims_common.errors import IMSError

SERVICES = ("auth", "booking", "payroll", "notification", "webhooks", "reference")
_REPORTED = ("ok", "last_position", "checkpoint", "parked")

bp = Blueprint("health", __name__)


def probe(client, service: str, timeout: float) -> dict:
    try:
        answer = client.call(service, "health", timeout=timeout)
    except (ServiceError, IMSError) as exc:
        return {"reachable": False, "error": exc.code}
    report = {"reachable": True}
    if isinstance(answer, dict):
        report.update({k: answer[k] for k in _REPORTED if k in answer})
    return report


@bp.get("/healthz")
@documented("Health of the gateway and of each service it calls", "meta", response=HealthSchema, public=True)
def healthz():
    client = current_app.extensions["ims_rpc"]
    timeout = current_app.config["IMS_HEALTH_TIMEOUT"]
    with ThreadPoolExecutor(max_workers=len(SERVICES), thread_name_prefix="healthz") as pool:
        futures = {name: pool.submit(probe, client, name, timeout) for name in SERVICES}
        services = {name: future.result() for name, future in futures.items()}
    healthy = all(s["reachable"] and s.get("ok", True) is not False for s in services.values())
    resp = jsonify({"status": "ok" if healthy else "degraded", "services": services})
    resp.status_code = 200 if healthy else 503
    return resp

"""The baselines of the HTTP figures, served by gunicorn with the gateway's settings
(deploy/gunicorn.conf.py):
- GET /bare: the very bytes of the measured answer (BENCH_BODY_FILE, with the headers its app wrote,
  BENCH_HEADERS_FILE), so the figure's ratio is what the gateway adds to serving them;
- POST /command: the minimal event-sourced command (bench/es_command_service.py) through the
  gateway's own RPC pool, so accept's ratio is what booking's rules and the consumers add."""
import json
import os
import uuid

from flask import Flask, Response, jsonify

from gateway.rpc import RpcPool

app = Flask(__name__)
_BODY_FILE = os.environ.get("BENCH_BODY_FILE")
BODY = open(_BODY_FILE, "rb").read() if _BODY_FILE else b'{"items": [], "total": 0}'
_HEADERS_FILE = os.environ.get("BENCH_HEADERS_FILE")
HEADERS = [tuple(pair) for pair in json.load(open(_HEADERS_FILE))] if _HEADERS_FILE else \
    [("Content-Type", "application/json")]
_pool = None


@app.get("/bare")
def bare():
    return Response(BODY, headers=HEADERS)


@app.post("/command")
def command():
    global _pool
    if _pool is None:
        _pool = RpcPool()
    return jsonify(_pool.call("bench_command", "command", uuid.uuid4().hex))

"""The baseline of the month-list figure: a bare Flask route returning a JSON list, served by
gunicorn with the gateway's settings (deploy/gunicorn.conf.py)."""
from flask import Flask, jsonify

app = Flask(__name__)
ITEMS = [{"id": f"HC-2401{n:04d}", "status": "booked", "start_at": "2024-01-01T15:00:00Z"} for n in range(20)]


@app.get("/bare")
def bare():
    return jsonify({"items": ITEMS, "total": len(ITEMS), "page": 1, "per_page": 50})

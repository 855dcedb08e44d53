"""Arbitrary JSON bodies and query strings never make the gateway answer 5xx."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.tests.conftest import People
from gateway.tests.fake_rpc import FakeServices

FIELDS = ["source_language", "target_language", "mode", "date", "start_time", "duration_minutes", "due_date",
          "comments", "provided", "actual_start", "actual_end", "communications", "distance_km", "reason",
          "cancelled_at", "interpreter_ids", "filename", "content_type", "content_base64", "identifier",
          "password", "email", "role", "$ne", "__proto__", ""]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50),
                    st.sampled_from(["2025-09-01", "09:00", "2025-09-01T09:00:00Z", "phone", "video", "12,5",
                                     "pending", "application/pdf", "JVBERi0=", "x" * 3000]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8),
                                                                       inner, max_size=4)), max_leaves=12)
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8), values)
ENDPOINTS = [("/api/v1/bookings", "requester"), ("/api/v1/bookings/HC-25240001/report", "interpreter"),
             ("/api/v1/bookings/HC-25240001/modify", "coordinator"), ("/api/v1/auth/login", None),
             ("/api/v1/accounts", "coordinator")]

_fake = FakeServices()
_people = People(_fake)
_client = create_app(rpc=_fake).test_client()


def _headers(role):
    return _people.headers(role) if role else {}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_json_bodies_never_give_5xx(endpoint, body):
    path, role = endpoint
    resp = _client.post(path, data=json.dumps(body), content_type="application/json", headers=_headers(role))
    assert resp.status_code < 500, (path, body, resp.get_data(as_text=True))
    assert resp.mimetype == "application/json"


@settings(max_examples=150, deadline=None)
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
def test_raw_bytes_never_give_5xx(endpoint, raw):
    path, role = endpoint
    resp = _client.post(path, data=raw, content_type="application/json", headers=_headers(role))
    assert resp.status_code < 500, (path, raw, resp.get_data(as_text=True))


@settings(max_examples=200, deadline=None)
@given(params=st.lists(st.tuples(st.sampled_from(["status", "page", "per_page", "date_from", "date_to", "queue", "q",
                                                  "role", "x"]),
                                 st.text(max_size=20)), max_size=6))
def test_query_strings_never_give_5xx(params):
    for path in ("/api/v1/bookings", "/api/v1/accounts"):
        resp = _client.get(path, query_string=params, headers=_headers("coordinator"))
        assert resp.status_code < 500, (path, params, resp.get_data(as_text=True))

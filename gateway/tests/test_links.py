"""The gateway's published page paths (gateway/contract/links.py) are pages it serves."""
from __future__ import annotations

import pytest

from gateway.contract import links

SAMPLES = {"booking_id": "HC-24240002", "user_id": "UBIPN0002"}


@pytest.mark.parametrize("page", sorted(links.PAGES))
def test_every_published_path_is_a_web_page(app, page):
    names = [name for name in SAMPLES if "{" + name + "}" in links.PAGES[page]]
    path = links.path(page, **{name: SAMPLES[name] for name in names})
    endpoint, _ = app.url_map.bind("ims.local").match(path, method="GET")
    assert endpoint.startswith("web."), (page, path, endpoint)


def test_links_quote_their_parameters_and_keep_the_base():
    assert links.link("booking", "https://ims.example/", booking_id="HC-24240002") == \
        "https://ims.example/reservations/HC-24240002"
    assert links.path("booking", booking_id="../x y") == "/reservations/..%2Fx%20y"
    assert links.link("password_reset", "http://h:8000", query={"token": "a+b/c"}) == \
        "http://h:8000/reset-password?token=a%2Bb%2Fc"

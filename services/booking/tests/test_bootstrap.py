"""bootstrap.py is the booking service's one reader of the environment, and what it builds is what
the service runs: the policy from the environment, the read model caught up."""
from __future__ import annotations

import ast
from pathlib import Path

from services.booking import bootstrap
from services.booking.domain.matching import DEFAULT_POLICY

from .app_fixtures import Stores, create  # noqa: F401
from .scenario import NOW

FOLDER = Path(__file__).resolve().parents[1]


def _reads_environment(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "ims_common" and any(
                a.name == "config" for a in node.names):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and "ims_common.config" in (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]):
            return True
    return False


def test_only_bootstrap_reads_the_environment():
    readers = sorted(str(p.relative_to(FOLDER)) for p in FOLDER.rglob("*.py")
                     if "tests" not in p.parts and _reads_environment(p))
    assert readers == ["bootstrap.py"]


def test_build_takes_the_policy_from_the_environment_and_catches_up(tmp_path, monkeypatch):
    stores = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    try:
        first = bootstrap.build(stores, clock=lambda: NOW, policy=DEFAULT_POLICY)
        booking = create(first)
        first.docs.drop("bookings")            # as if the read model had fallen behind
        first.read_model._projector.reset()
        monkeypatch.setenv("IMS_OFFER_TIMEOUT_MINUTES", "30")
        again = bootstrap.build(stores, clock=lambda: NOW)
        assert again.policy.offer_timeout_minutes == 30
        assert again.read_model.checkpoint() == 1
        assert again.docs.get("bookings", booking["id"])["number"] == booking["number"]
    finally:
        stores.close()

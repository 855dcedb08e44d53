"""The command line, run as run.py runs it: a process of its own on the auth store."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ims_common.stores import open_blob_store, open_document_store, open_event_store
from services.auth import bootstrap
from services.auth.tests.conftest import PASSWORD, settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, IMS_DATA_DIR=str(tmp_path), AUTH_STORE_URL=f"sqlite:///{tmp_path / 'auth.sqlite3'}",
               PYTHONPATH=str(ROOT))
    env.pop("IMS_BOOTSTRAP_PASSWORD", None)
    return env


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "services.auth.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def app_on(env):
    url = env["AUTH_STORE_URL"]
    return bootstrap.build(open_event_store(url), open_document_store(url), open_blob_store(url), settings=settings())


COORDINATOR = ["create-coordinator", "--email", "coordination@ims.local", "--first-name", "Coordination",
               "--last-name", "Banque"]


def test_create_coordinator_prints_identifier_and_can_log_in(env):
    done = cli(env, *COORDINATOR, "--password", PASSWORD)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "UBICB0001"
    assert app_on(env).login.login("coordination@ims.local", PASSWORD, None)["user"]["role"] == "coordinator"


def test_password_from_environment(env):
    done = cli(dict(env, IMS_BOOTSTRAP_PASSWORD=PASSWORD), *COORDINATOR)
    assert done.returncode == 0, done.stderr
    assert app_on(env).login.login("UBICB0001", PASSWORD, None)


def test_weak_or_missing_password_refused(env):
    weak = cli(env, *COORDINATOR, "--password", "coordination")
    assert weak.returncode == 2 and "password: At least one uppercase letter." in weak.stderr
    missing = cli(env, *COORDINATOR)
    assert missing.returncode == 2 and "password" in missing.stderr
    assert app_on(env).events.events_since(0) == []


def test_same_email_twice_refused(env):
    assert cli(env, *COORDINATOR, "--password", PASSWORD).returncode == 0
    again = cli(env, *COORDINATOR, "--password", PASSWORD)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_create_account_with_temporary_password_and_rebuild(env):
    done = cli(env, "create-account", "--email", "julie@example.org", "--first-name", "Julie",
               "--last-name", "Tremblay", "--role", "requester", "--establishment", "HC")
    assert done.returncode == 0, done.stderr
    user_id, temporary = done.stdout.strip().split("\ntemporary password: ")
    assert user_id == "UBIJT0001"
    app = app_on(env)
    assert app.login.login(user_id, temporary, None)["user"]["must_change_password"] is True
    rebuilt = cli(env, "rebuild-read-models")
    assert rebuilt.returncode == 0 and rebuilt.stdout.strip() == "1 events replayed"

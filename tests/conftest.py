"""Cross-service tests: the whole system started as `make run` starts it, on a vhost of its own."""
from __future__ import annotations

import pytest

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-data"), amqp_uri) as running:
            yield running

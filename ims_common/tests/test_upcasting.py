import pytest

from ims_common.upcasting import upcast

CURRENT = {"Thing": 3}
STEPS = {("Thing", 1): lambda d: {**d, "b": 2}, ("Thing", 2): lambda d: {**d, "c": d["b"] + 1}}


def test_walks_every_step_to_the_current_version_without_touching_the_original():
    old = {"type": "Thing", "schema_version": 1, "data": {"a": 1}, "position": 7}
    new = upcast(old, CURRENT, STEPS)
    assert new == {"type": "Thing", "schema_version": 3, "data": {"a": 1, "b": 2, "c": 3}, "position": 7}
    assert old["data"] == {"a": 1} and old["schema_version"] == 1


def test_current_and_unknown_types_pass_as_they_are():
    current = {"type": "Thing", "schema_version": 3, "data": {}}
    other = {"type": "Other", "data": {}}
    assert upcast(current, CURRENT, STEPS) is current
    assert upcast(other, CURRENT, STEPS) is other


def test_a_missing_step_is_an_error_not_a_stale_event():
    with pytest.raises(ValueError, match="no upcaster for Thing v2"):
        upcast({"type": "Thing", "schema_version": 2, "data": {}}, CURRENT, {})

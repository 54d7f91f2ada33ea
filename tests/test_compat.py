"""The provider classes that stacks of earlier releases name in their state stay importable and carry nothing.

The engine test (tests/engine/test_upgrade.py) runs a real 0.1.0 stack through the current code; these are the
quick checks of the same rules (docs/upgrading.md), run with the unit tests.
"""

from __future__ import annotations

import importlib
import pickle

import dill
import pytest
from pulumi.dynamic import ResourceProvider

from tests.engine.test_upgrade import KINDS


@pytest.mark.parametrize("path", sorted(KINDS.values()))
def test_provider_class_of_an_earlier_release_is_importable_at_its_path(path: str) -> None:
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, ResourceProvider)
    assert f"{cls.__module__}.{cls.__qualname__}" == path, "a re-export would change what new state records"


@pytest.mark.parametrize("path", sorted(KINDS.values()))
def test_provider_unpickled_with_attributes_of_another_release_ignores_them(path: str) -> None:
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    provider = cls()
    blob = dill.dumps(provider, protocol=pickle.DEFAULT_PROTOCOL, recurse=True)
    assert dill.loads(blob).__dict__ == {}
    # What an object of another release could carry: state its class no longer (or not yet) knows.
    restored = cls.__new__(cls)
    restored.__setstate__({"_settings": object(), "retired_cache": {}})
    assert restored.__dict__ == {}

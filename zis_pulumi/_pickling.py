"""Keep Pulumi's sorting pickler one level deep, so a program can hold any number of dynamic resources.

`pulumi.dynamic.dynamic.serialize_provider` (SDK 3.259, unchanged in 3.272) makes pickling deterministic
by setting `pickle._Pickler._batch_setitems` to a wrapper that sorts the items and calls whatever was
there before, and never puts the old one back. Each dynamic resource constructed therefore adds one more
wrapper around the last, and pickling a dict walks the whole chain: about the 972nd resource of a program
raises `RecursionError` (fewer inside a deeper call stack).

`unnest_sorting_pickler()`, called by every resource class here just before the SDK pickles its provider,
peels the SDK's own wrappers off again, so the SDK wraps the original method exactly once, as on its first
call. Sorting twice or once gives the same order, so the bytes pickled are the same as the first call's.
A wrapper is recognised by what the SDK's is (a function local to `serialize_provider` that closes over
`unsorted_batch_setitems`); anything else, such as another library's patch or a future SDK that restores
the method itself, is left exactly as it is.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any

__all__ = ["unnest_sorting_pickler"]

_SDK_WRAPPER_PREFIX = "serialize_provider.<locals>."
_SDK_WRAPPED_NAME = "unsorted_batch_setitems"
_lock = threading.Lock()


def _wrapped_by_sdk(function: Any) -> Any | None:
    """What the SDK's sorting wrapper `function` calls, or None when `function` is not such a wrapper."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None)
    if code is None or closure is None:
        return None
    if not getattr(function, "__qualname__", "").startswith(_SDK_WRAPPER_PREFIX):
        return None
    if _SDK_WRAPPED_NAME not in code.co_freevars:
        return None
    try:
        return closure[code.co_freevars.index(_SDK_WRAPPED_NAME)].cell_contents
    except ValueError:  # an empty cell
        return None


def unnest_sorting_pickler() -> int:
    """Remove the SDK's sorting wrappers from `pickle._Pickler._batch_setitems`; returns how many were removed.

    Thread-safe; cheap (a few attribute reads) when there is nothing to remove.
    """
    pickler: Any = getattr(pickle, "_Pickler", None)
    if pickler is None:
        return 0
    with _lock:
        current = pickler.__dict__.get("_batch_setitems")
        removed = 0
        while current is not None:
            inner = _wrapped_by_sdk(current)
            if inner is None:
                break
            current = inner
            removed += 1
        if removed:
            pickler._batch_setitems = current
        return removed

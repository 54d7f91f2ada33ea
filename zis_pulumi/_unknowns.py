"""Values not known yet, and how to show any value in a message.

During a preview an input computed from another resource's output is unknown. The provider process
(SDK 3.259, `rpc.deserialize_property` with `keep_unknowns`) hands it over as a `pulumi.output.Unknown`
object, anywhere in the inputs: at the top, inside objects and lists, inside what was a secret (the
engine strips secrets before a provider that does not accept them). Older SDKs handed over the
sentinel string `rpc.UNKNOWN`; both count. On the program side the same value is a `pulumi.Output`.

Messages never print such an object's repr (`<pulumi.output.Unknown object at 0x…>`): `shown` says
what it is instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from inspect import isawaitable
from typing import Any

import pulumi
from pulumi.output import Unknown

__all__ = ["UNKNOWN_TEXT", "contains_output", "contains_unknown", "is_unknown", "shown"]

try:
    from pulumi.runtime.rpc import UNKNOWN as _UNKNOWN_SENTINEL
except ImportError:  # pragma: no cover - every supported SDK has it
    _UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

UNKNOWN_TEXT = "a value not known until the resources it comes from exist"
SHOWN_MAX = 200
"""Characters of a value a message shows at most."""


def is_unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (a preview of something computed)."""
    if isinstance(value, Unknown):
        return True
    return isinstance(value, str) and value == _UNKNOWN_SENTINEL


def _contains(value: Any, test: Callable[[Any], bool]) -> bool:
    if test(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains(item, test) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains(item, test) for item in value)
    return False


def contains_unknown(value: Any) -> bool:
    """True when the value, or anything inside it, is not known yet (provider side)."""
    return _contains(value, is_unknown)


def contains_output(value: Any) -> bool:
    """True when the value, or anything inside it, is a `pulumi.Output` or an awaitable (program side)."""
    return _contains(value, lambda item: isinstance(item, pulumi.Output) or isawaitable(item))


def _placeholder(value: Any) -> str:
    if is_unknown(value):
        return "<not known yet>"
    if isinstance(value, pulumi.Output):
        return "<an Output>"
    return f"<a {type(value).__name__}>"


def shown(value: Any) -> str:
    """The value as a message shows it: JSON-like, short, and no object's repr.

    Strings keep their quotes (`'Acme Sync'`), as the messages always showed them.
    """
    if is_unknown(value):
        return UNKNOWN_TEXT
    if isinstance(value, pulumi.Output):
        return "a pulumi Output (its value is not known here)"
    if isinstance(value, str):
        text = repr(value)
    elif value is None or isinstance(value, bool | int | float | Mapping | list | tuple):
        try:
            text = json.dumps(value, default=_placeholder, ensure_ascii=False)
        except (TypeError, ValueError):  # keys that are not strings, or a cycle
            text = f"a {type(value).__name__}"
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"

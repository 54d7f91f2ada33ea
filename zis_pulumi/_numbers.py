"""Numbers as the user declared them: the engine carries every number as a double.

A program's `{"ticket_id": 12345}` reaches the provider as `12345.0`, `[1, 2]` as `[1.0, 2.0]`, and
`2**53` as `9007199254740992.0`; sent like that, ZIS stores `12345.0` and a flow reading the metadata
builds `…/tickets/12345.0`. The API clients pass every JSON body through `whole_numbers` (in
`ApiClient.request`), so every resource, present or future, sends integers where integers were declared.

A whole float is taken for an integer: after the engine, `5` and `5.0` cannot be told apart, and JSON
itself does not distinguish them (RFC 8259 §6), only the text the APIs echo back does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["canonical", "same", "whole_numbers"]


def whole_numbers(value: Any) -> Any:
    """A copy of a JSON value with every whole float made an `int`, at any depth.

    Booleans stay booleans, other floats stay floats, strings (and anything else) are left alone.
    """
    if isinstance(value, float):
        return int(value) if value.is_integer() else value  # False for inf and nan
    if isinstance(value, Mapping):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [whole_numbers(item) for item in value]
    return value


def canonical(value: Any) -> Any:
    """A form where equal JSON values compare equal and different ones do not.

    Key order, int/float spelling and members whose value is null (the engine drops those from objects)
    do not matter; `true` and `1` stay different (Python's `True == 1` would hide that change).
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", whole_numbers(value))
    if isinstance(value, Mapping):
        return ("object", tuple(sorted((str(k), canonical(v)) for k, v in value.items() if v is not None)))
    if isinstance(value, list | tuple):
        return ("array", tuple(canonical(v) for v in value))
    return ("other", repr(value))


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal as JSON values (see `canonical`)."""
    return bool(canonical(a) == canonical(b))

"""What every resource class shares: inputs from an args object or keyword arguments, and typed outputs.

Each resource keeps its whole life in its own module (args, provider, resource class); this module only
saves them writing the same `__init__` checks and output properties again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, Generic, TypeVar, cast, overload

import pulumi
from typing_extensions import Self

from . import _ownership as ownership
from ._pickling import unnest_sorting_pickler

T = TypeVar("T")


def inputs_from(
    kind: str, args: Any, args_type: type[Any], arguments: Mapping[str, Any], required: Sequence[str]
) -> dict[str, Any]:
    """The inputs of a resource given either an args dataclass or keyword arguments (not both), by field name.

    `arguments` is the `__init__`'s `locals()`: the keyword arguments are those named as the fields of
    `args_type`, so each resource lists its inputs once, in its signature."""
    keywords = {field.name: arguments.get(field.name) for field in fields(args_type)}
    article = "an" if args_type.__name__[:1] in "AEIOU" else "a"
    if args is None:
        missing = [key for key in required if keywords.get(key) is None]
        if missing:
            raise TypeError(f"{kind} needs {', '.join(missing)} (or {article} {args_type.__name__})")
        args = args_type(**keywords)
    elif any(value is not None for value in keywords.values()):
        raise TypeError(f"give {kind} either {article} {args_type.__name__} or keyword arguments, not both")
    if not isinstance(args, args_type):
        raise TypeError(f"{kind} takes {article} {args_type.__name__} as args (got {type(args).__name__})")
    return {field.name: getattr(args, field.name) for field in fields(args)}


def registered(
    resource: pulumi.Resource,
    resource_name: str,
    opts: pulumi.ResourceOptions | None,
    inputs: Mapping[str, Any],
    outputs: Sequence[str],
) -> dict[str, Any]:
    """The properties to register: the inputs, the outputs (unknown until the provider answers), and the
    owner input (`_ownership`). Called just before registering, as the SDK is about to pickle the provider."""
    unnest_sorting_pickler()  # before the SDK pickles the provider: see _pickling
    return {**inputs, **dict.fromkeys(outputs), **ownership.owner_input(resource, resource_name, opts)}


class Out(Generic[T]):
    """A typed output of a resource class: `link_id = Out[str]("The link's id.")`.

    Not written as an annotation (`link_id: Out[str] = …`): the SDK reads a resource class's annotations as
    the types of its outputs."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, resource: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, resource: pulumi.Resource, owner: type[Any]) -> pulumi.Output[T]: ...
    def __get__(self, resource: pulumi.Resource | None, owner: type[Any]) -> Self | pulumi.Output[T]:
        if resource is None:
            return self
        return cast("pulumi.Output[T]", pulumi.get(resource, self.name))

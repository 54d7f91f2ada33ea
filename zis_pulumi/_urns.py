"""URNs as the program knows them before registering a resource, and short names for them in messages.

A dynamic provider is never told which resource a call is for (`check`, `create` and `delete` get only
properties), so a resource that needs its own URN in the provider computes it in the program and passes it
as an input: the claim of an `AppConnection`, the owner every resource declares in `check` (`_ownership`).
"""

from __future__ import annotations

import pulumi

__all__ = ["describe_urn", "future_urn"]

_DYNAMIC_PREFIX = "pulumi-python:dynamic/"


def future_urn(type_token: str, resource_name: str, opts: pulumi.ResourceOptions | None) -> pulumi.Output[str]:
    """The URN the resource about to be registered will have (the engine's rule: parent's type chain, own type,
    name), as an output that depends on nothing."""
    parent = opts.parent if opts is not None else None
    parent_urn: pulumi.Output[str] | None = None
    if parent is not None:
        # The parent's URN as a value only: a dependency on a component parent would include this resource.
        urn = parent.urn
        parent_urn = pulumi.Output(set(), urn.future(), urn.is_known(), urn.is_secret())  # type: ignore[arg-type]
    return pulumi.resource.create_urn(resource_name, type_token, parent=parent_urn)


def describe_urn(urn: str) -> str:
    """`zis:Link "sync-ticket"` for a URN of this package's resources; the type token as is for others."""
    head, _, name = urn.rpartition("::")
    type_token = head.rpartition("::")[2].rpartition("$")[2] or "resource"
    return f'{type_token.removeprefix(_DYNAMIC_PREFIX)} "{name or urn}"'

"""Looking up an integration's ZIS connections from a Pulumi program.

`get_connections` returns every connection of the four kinds (API key, basic auth, bearer token, OAuth),
all pages merged. The API masks API keys, passwords and bearer tokens, but returns OAuth connections'
`access_token`, `refresh_token` and `oauth_access_token_response_body` in clear.

`get_connections_output` is the form to use with other resources' outputs. Its result is a secret as a
whole: Pulumi's Python SDK cannot mark part of one value secret, and anything derived from a secret
Output stays secret, so a whole-secret result is what keeps the tokens out of the state, the previews
and the stack outputs whatever the program does with it. That also makes names derived from it secret;
a program that needs no token passes `include_secrets=False`, which drops the three fields and gives a
result that is not secret at all (names, domains and kinds shown in clear).

Both run in the program process, not in the dynamic provider's: settings come from the stack config
(`zendesk:baseUrl` or `zendesk:subdomain`, `zendesk:oauthToken`, read through `pulumi.Config("zendesk")`,
secrets included) with the environment as fallback (ZENDESK_BASE_URL, ZENDESK_OAUTH_TOKEN, …). Nothing
here logs a connection or a token, and the result's `repr` shows names only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ._integration import integration_problem
from ._zendesk import ZendeskClient
from .config import ZendeskSettings
from .errors import InvalidInputError
from .models import ApiKeyConnection, BasicAuthConnection, BearerTokenConnection, OAuthConnection

__all__ = ["OAUTH_SECRET_FIELDS", "GetConnectionsResult", "get_connections", "get_connections_output"]

OAUTH_SECRET_FIELDS = ("access_token", "refresh_token", "oauth_access_token_response_body")
"""The OAuth connection fields the API returns in clear, and that are secrets."""

Connection = ApiKeyConnection | BasicAuthConnection | BearerTokenConnection | OAuthConnection


@dataclass(frozen=True, repr=False)
class GetConnectionsResult:
    """Every connection of one integration, by kind."""

    integration: str
    """The integration whose connections these are."""
    api_key: list[ApiKeyConnection] = field(default_factory=list)
    """API key connections (`api_key` masked as `*****` by the API)."""
    basic_auth: list[BasicAuthConnection] = field(default_factory=list)
    """Basic authentication connections (`password` masked)."""
    bearer_token: list[BearerTokenConnection] = field(default_factory=list)
    """Bearer token connections (`token` masked)."""
    oauth: list[OAuthConnection] = field(default_factory=list)
    """OAuth connections, with their tokens unless `include_secrets=False` left them out (None)."""

    def __iter__(self) -> Iterator[Connection]:
        """Every connection, kind by kind."""
        yield from self.api_key
        yield from self.basic_auth
        yield from self.bearer_token
        yield from self.oauth

    @property
    def names(self) -> list[str]:
        """Every connection's name (names are unique across the four kinds)."""
        return [connection.name for connection in self]

    def get(self, name: str) -> Connection | None:
        """The connection called `name`, of whichever kind, or None."""
        return next((connection for connection in self if connection.name == name), None)

    def __repr__(self) -> str:
        kinds = ", ".join(
            f"{kind}={[c.name for c in getattr(self, kind)]!r}"
            for kind in ("api_key", "basic_auth", "bearer_token", "oauth")
        )
        return f"GetConnectionsResult(integration={self.integration!r}, {kinds})"


def _stack_config(key: str) -> Any:
    """One `namespace:name` key of the program's stack config (None outside a Pulumi program)."""
    namespace, _, name = key.partition(":")
    return pulumi.Config(namespace).get(name)


def get_connections(
    integration: str, *, include_secrets: bool = True, settings: ZendeskSettings | None = None
) -> GetConnectionsResult:
    """Every connection of `integration`, all pages, all four kinds.

    Needs the ZIS OAuth token (`zendesk:oauthToken` or ZENDESK_OAUTH_TOKEN). With `include_secrets=False`
    the OAuth connections' tokens and token response are left out (None). `settings` overrides the stack
    config and the environment (for scripts and tests).
    """
    problem = integration_problem(integration)
    if problem:
        raise InvalidInputError(f"integration {problem}")
    client = ZendeskClient(settings or ZendeskSettings.resolve(_stack_config))
    try:
        connections = client.list_connections(integration)
    finally:
        client.close()
    oauth = connections.oauth
    if not include_secrets:
        oauth = [connection.model_copy(update=dict.fromkeys(OAUTH_SECRET_FIELDS)) for connection in oauth]
    return GetConnectionsResult(
        integration=integration,
        api_key=connections.api_key,
        basic_auth=connections.basic_auth,
        bearer_token=connections.bearer_token,
        oauth=oauth,
    )


def get_connections_output(
    integration: pulumi.Input[str], *, include_secrets: bool = True, settings: ZendeskSettings | None = None
) -> pulumi.Output[GetConnectionsResult]:
    """`get_connections` for an `Input` integration name, as an Output.

    The result is secret (it holds OAuth tokens); with `include_secrets=False` the tokens are left out and
    the result is not secret. The API call runs in a worker thread, so it does not hold up the program.
    """

    async def fetch(name: str) -> GetConnectionsResult:
        # The stack config lives in a context variable: read it here, in the program's context.
        resolved = settings or ZendeskSettings.resolve(_stack_config)
        return await asyncio.to_thread(get_connections, name, include_secrets=include_secrets, settings=resolved)

    result: pulumi.Output[GetConnectionsResult] = pulumi.Output.from_input(integration).apply(fetch)
    return pulumi.Output.secret(result) if include_secrets else result

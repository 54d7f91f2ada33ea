"""pydantic models of what goes over the wire, one per object the APIs return.

Unknown fields are kept (``extra="allow"``) so a vendor adding a field never breaks a read; fields the
vendors sometimes leave out are optional.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ApiKeyConnection",
    "AppConnection",
    "BasicAuthConnection",
    "BearerTokenConnection",
    "Bundle",
    "BundleResource",
    "BundleSummary",
    "Connections",
    "JobSpec",
    "Link",
    "LinkObject",
    "OAuthConnection",
    "PageMeta",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PageMeta(_Wire):
    after: str | None = None
    before: str | None = None
    has_more: bool = False


# --- ZIS registry -------------------------------------------------------------------------------


class BundleResource(_Wire):
    type: str
    properties: dict[str, Any] = Field(default_factory=dict)


class BundleSummary(_Wire):
    """A bundle as the list endpoint returns it: metadata only, no resources."""

    uuid: str
    name: str
    integration: str | None = None
    description: str | None = None
    zendesk_account_id: int | None = None
    zis_template_version: str | None = None


class Bundle(BundleSummary):
    """A bundle as `GET …/bundles/{uuid}` returns it (unwrapped, resources included)."""

    resources: dict[str, BundleResource] = Field(default_factory=dict)


class JobSpec(_Wire):
    name: str
    """The short name; the fully qualified one is `zis:{integration}:job_spec:{name}`."""
    integration: str | None = None
    uuid: str | None = None
    description: str | None = None
    event_source: str | None = None
    event_type: str | None = None
    flow_name: str | None = None
    installed: bool = False


# --- ZIS links ----------------------------------------------------------------------------------


class LinkObject(_Wire):
    name: str
    metadata: dict[str, Any] | None = None
    name_attrs: dict[str, Any] | None = None


class _Stamped(_Wire):
    """When the API made and last changed the object (by its clock)."""

    created_at: str | None = None
    updated_at: str | None = None


class Link(_Stamped):
    id: str | int
    link_type: str
    left_object: LinkObject
    right_object: LinkObject
    integration: str | None = None
    account_id: int | None = None
    uuid: str | None = None


# --- ZIS connections ----------------------------------------------------------------------------


class _DomainConnection(_Stamped):
    """What the API-key, basic-auth and bearer-token connections share: a name and the one domain they serve."""

    name: str
    allowed_domain: str | None = None


class ApiKeyConnection(_DomainConnection):
    header_name: str | None = None
    api_key: str | None = None
    """Always masked (`*****`) by the API."""


class BasicAuthConnection(_DomainConnection):
    username: str | None = None
    password: str | None = None
    """Always masked (`*****`) by the API."""


class BearerTokenConnection(_DomainConnection):
    token: str | None = None
    """Always masked (`*****`) by the API."""


class OAuthConnection(_Wire):
    """An OAuth connection. `access_token`, `refresh_token` and the response body are secrets in clear."""

    name: str
    uuid: str | None = None
    access_token: str | None = Field(default=None, repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    oauth_access_token_response_body: str | None = Field(default=None, repr=False)
    oauth_url_subdomain: str | None = None
    permission_scope: str | None = None
    token_expiry: str | None = None
    token_type: str | None = None
    created_by: str | None = None


class Connections(_Wire):
    """Every connection of an integration, all pages merged."""

    api_key: list[ApiKeyConnection] = Field(default_factory=list)
    basic_auth: list[BasicAuthConnection] = Field(default_factory=list)
    bearer_token: list[BearerTokenConnection] = Field(default_factory=list)
    oauth: list[OAuthConnection] = Field(default_factory=list)


# --- Make ---------------------------------------------------------------------------------------


class AppConnection(_Wire):
    """A Make custom-app connection. `type` comes back normalized (`basic` or `oauth`)."""

    name: str
    label: str | None = None
    type: str | None = None
    connected_system_name: str | None = Field(default=None, alias="connectedSystemName")

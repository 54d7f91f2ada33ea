"""Where credentials and endpoints come from: stack config first, then the environment.

The dynamic providers get the stack config (secrets decrypted) through `ResourceProvider.configure()`;
nothing read here is ever stored on a provider object that gets pickled into the state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigurationError

__all__ = ["MakeSettings", "Setting", "ZendeskSettings", "lookup_from"]

Lookup = Callable[[str], Any]
"""Reads one stack config key such as ``zendesk:apiToken``; returns None when it is not set."""


@dataclass(frozen=True)
class Setting:
    """One configurable value: its stack config key and its environment fallback."""

    config_key: str
    env_var: str
    secret: bool = False

    def describe(self) -> str:
        return f"stack config `{self.config_key}` or environment variable {self.env_var}"


ZENDESK_SUBDOMAIN = Setting("zendesk:subdomain", "ZENDESK_SUBDOMAIN")
ZENDESK_BASE_URL = Setting("zendesk:baseUrl", "ZENDESK_BASE_URL")
ZENDESK_EMAIL = Setting("zendesk:email", "ZENDESK_EMAIL")
ZENDESK_API_TOKEN = Setting("zendesk:apiToken", "ZENDESK_API_TOKEN", secret=True)
ZENDESK_OAUTH_TOKEN = Setting("zendesk:oauthToken", "ZENDESK_OAUTH_TOKEN", secret=True)
ZENDESK_LINK_SET_CONCURRENCY = Setting("zendesk:linkSetConcurrency", "ZENDESK_LINK_SET_CONCURRENCY")
MAKE_ZONE = Setting("make:zone", "MAKE_ZONE")
MAKE_BASE_URL = Setting("make:baseUrl", "MAKE_BASE_URL")
MAKE_API_TOKEN = Setting("make:apiToken", "MAKE_API_TOKEN", secret=True)


def lookup_from(
    config: Lookup | Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> Callable[[Setting], str | None]:
    """Build a resolver: stack config wins over the environment; blank values count as unset."""
    env = os.environ if environ is None else environ
    if config is None:
        get_config: Lookup = lambda _key: None  # noqa: E731
    elif isinstance(config, Mapping):
        get_config = config.get
    else:
        get_config = config

    def resolve(setting: Setting) -> str | None:
        value = get_config(setting.config_key)
        if value is None or str(value).strip() == "":
            value = env.get(setting.env_var)
        if value is None or str(value).strip() == "":
            return None
        return str(value).strip()

    return resolve


def located(
    config: Lookup | Mapping[str, Any] | None,
    environ: Mapping[str, str] | None,
    explicit: Setting,
    host: Setting,
    url_of: Callable[[str | None], str],
) -> tuple[Callable[[Setting], str | None], str]:
    """The settings' resolver and an API's base URL: the `explicit` setting, else `url_of` the `host` one (a
    subdomain, a zone; `url_of` says what is missing when it is unset too)."""
    resolve = lookup_from(config, environ)
    base_url = resolve(explicit)
    if base_url is None:
        base_url = url_of(resolve(host))
    return resolve, base_url.rstrip("/")


def _zendesk_url(subdomain: str | None) -> str:
    if subdomain is None:
        raise ConfigurationError(
            f"Zendesk needs an account: set {ZENDESK_SUBDOMAIN.describe()} (or {ZENDESK_BASE_URL.describe()})"
        )
    if not subdomain.replace("-", "").isalnum():
        raise ConfigurationError(
            f"{ZENDESK_SUBDOMAIN.config_key} must be a bare subdomain such as `acme` "
            f"(for https://acme.zendesk.com), got {subdomain!r}"
        )
    return f"https://{subdomain}.zendesk.com"


def _make_url(zone: str | None) -> str:
    if zone is None:
        raise ConfigurationError(
            f"Make needs a zone: set {MAKE_ZONE.describe()} (e.g. eu1.make.com), or {MAKE_BASE_URL.describe()}"
        )
    return "https://" + zone.removeprefix("https://").removeprefix("http://").strip("/") + "/api/v2"


@dataclass(frozen=True, repr=False)
class ZendeskSettings:
    """How to reach one Zendesk account's ZIS API. Tokens are optional until a call needs them."""

    base_url: str
    email: str | None = None
    api_token: str | None = field(default=None)
    oauth_token: str | None = field(default=None)

    def __repr__(self) -> str:
        # Never show tokens, even in a debugger or a log line.
        return (
            f"ZendeskSettings(base_url={self.base_url!r}, email={self.email!r}, "
            f"api_token={'set' if self.api_token else 'unset'}, "
            f"oauth_token={'set' if self.oauth_token else 'unset'})"
        )

    @classmethod
    def resolve(
        cls, config: Lookup | Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> ZendeskSettings:
        resolve, base_url = located(config, environ, ZENDESK_BASE_URL, ZENDESK_SUBDOMAIN, _zendesk_url)
        return cls(
            base_url=base_url,
            email=resolve(ZENDESK_EMAIL),
            api_token=resolve(ZENDESK_API_TOKEN),
            oauth_token=resolve(ZENDESK_OAUTH_TOKEN),
        )

    def basic_credentials(self, purpose: str) -> tuple[str, str]:
        """`{email}/token` and the API token, for the calls that accept only basic auth."""
        if not self.email:
            raise ConfigurationError(f"{purpose} needs the admin e-mail: set {ZENDESK_EMAIL.describe()}")
        if not self.api_token:
            raise ConfigurationError(f"{purpose} needs a Zendesk API token: set {ZENDESK_API_TOKEN.describe()}")
        return f"{self.email}/token", self.api_token

    def require_oauth_token(self, purpose: str) -> str:
        if not self.oauth_token:
            raise ConfigurationError(f"{purpose} needs a ZIS OAuth token: set {ZENDESK_OAUTH_TOKEN.describe()}")
        return self.oauth_token


@dataclass(frozen=True, repr=False)
class MakeSettings:
    """How to reach Make's API for one organization's zone."""

    base_url: str
    api_token: str | None = None

    def __repr__(self) -> str:
        return f"MakeSettings(base_url={self.base_url!r}, api_token={'set' if self.api_token else 'unset'})"

    @classmethod
    def resolve(
        cls, config: Lookup | Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> MakeSettings:
        resolve, base_url = located(config, environ, MAKE_BASE_URL, MAKE_ZONE, _make_url)
        return cls(base_url=base_url, api_token=resolve(MAKE_API_TOKEN))

    def require_api_token(self, purpose: str) -> str:
        if not self.api_token:
            raise ConfigurationError(f"{purpose} needs a Make API token: set {MAKE_API_TOKEN.describe()}")
        return self.api_token

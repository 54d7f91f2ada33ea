"""Drive a dynamic provider the way the engine does, without the engine.

The provider is pickled exactly as `pulumi.dynamic.Resource` pickles it, unpickled as the provider
process does, and configured with a stack config; then check → diff → create/read/update/delete.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import dill
from pulumi.dynamic import CheckResult, ConfigureRequest, DiffResult, ResourceProvider
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from zis_pulumi import app_connection
from zis_pulumi.app_connection import AppConnectionProvider

PROJECT = "zis-pulumi-tests"


class CheckFailed(AssertionError):
    def __init__(self, result: CheckResult) -> None:
        self.failures = result.failures
        super().__init__("; ".join(f"{f.property}: {f.reason}" for f in result.failures))


def ship(provider: ResourceProvider) -> tuple[str, ResourceProvider]:
    """The `__provider` blob and the provider the provider process would get from it."""
    blob = serialize_provider(provider)
    return blob, dill.loads(base64.b64decode(blob))


@dataclass
class Created:
    id: str
    outs: dict[str, Any]


class ProviderDriver:
    def __init__(self, provider: ResourceProvider, stack_config: dict[str, Any]) -> None:
        self.blob, self.provider = ship(provider)
        self.provider.configure(ConfigureRequest(Config(raw_config=dict(stack_config), project_name=PROJECT)))

    def check(self, news: dict[str, Any], olds: dict[str, Any] | None = None) -> CheckResult:
        return self.provider.check(olds or {}, dict(news))

    def checked(self, news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
        result = self.check(news, olds)
        if result.failures:
            raise CheckFailed(result)
        return result.inputs

    def create(self, news: dict[str, Any]) -> Created:
        inputs = self.checked(news)
        result = self.provider.create(inputs)
        assert result.outs is not None
        return Created(result.id, result.outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self.provider.diff(id_, olds, self.checked(news, olds))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        inputs = self.checked(news, olds)
        result = self.provider.update(id_, olds, inputs)
        assert result.outs is not None, "update must return the outputs (the SDK default wipes them)"
        return result.outs

    def read(self, id_: str, props: dict[str, Any]) -> Any:
        return self.provider.read(id_, props)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.provider.delete(id_, props)


def fresh_connection_driver(stack_config: dict[str, str]) -> ProviderDriver:
    """A driver of an AppConnectionProvider as a fresh provider process has it: after the emulator was emptied,
    Make names like `acme-crm` come again, so what an earlier test's process made or deleted must be forgotten."""
    forget_connections()
    return ProviderDriver(AppConnectionProvider(), stack_config)


def forget_connections() -> None:
    """Forget the connections this process made, deleted or listed, as a fresh provider process would."""
    app_connection._made_here.clear()
    app_connection._deleted_here.clear()
    app_connection._first_listings.clear()

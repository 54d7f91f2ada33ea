"""What every dynamic provider here shares: configuration, lazily built clients, and input diffing.

A provider object is pickled (by reference to its class, plus its `__dict__`) into every resource's
state, so it carries nothing: settings arrive through `configure()` in the provider process (or the
environment), and the clients are built on first use there. The provider process serves four requests
at a time on one instance, hence the lock around building clients.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest, DiffResult, ResourceProvider

from ._make import MakeClient
from ._numbers import same
from ._run_cache import RunCache
from ._unknowns import contains_unknown, is_unknown, shown
from ._zendesk import ZendeskClient
from .config import MakeSettings, ZendeskSettings

__all__ = ["BaseProvider", "contains_unknown", "is_unknown", "merge_options", "shown"]

_build_lock = threading.Lock()
C = TypeVar("C")


def merge_options(
    opts: pulumi.ResourceOptions | None,
    *,
    secret_outputs: Iterable[str] = (),
    delete_before_replace: bool | None = None,
) -> pulumi.ResourceOptions:
    """The user's options plus the ones the resource always needs (these win)."""
    ours = pulumi.ResourceOptions(
        additional_secret_outputs=list(secret_outputs), delete_before_replace=delete_before_replace
    )
    return pulumi.ResourceOptions.merge(opts, ours) if opts is not None else ours


def plain(value: Any) -> Any:
    """A deep copy made of plain dicts and lists (the engine may hand us other mappings)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return copy.copy(value)


def failure(path: str, reason: str) -> CheckFailure:
    return CheckFailure(path, reason)


def not_inputs(
    kind: str, news: Mapping[str, Any], inputs: Sequence[str], outputs: Sequence[str] = (), hidden: Iterable[str] = ()
) -> list[CheckFailure]:
    """A failure for each property of `news` that is not one of the resource's `inputs`.

    What the engine adds (`__provider`), `hidden` inputs the resource class sets itself, and the outputs it
    declares (None in `news`: the engine leaves them out) are no such property."""
    article = "an" if kind[:1] in "AEIOU" else "a"
    return [
        failure(name, f"is not {article} {kind} input; inputs are {', '.join(inputs)}")
        for name in sorted(set(news) - set(inputs) - {"__provider", *hidden})
        if not (name in outputs and news[name] is None)
    ]


class BaseProvider(ResourceProvider):
    """Base of the dynamic providers: `configure`, clients, and a diff over declared inputs.

    Subclasses set `inputs` (the properties users declare) and `replace_on` (those whose change needs a
    new object), and override `normalize` where the API reads a value back in another form.
    """

    serialize_as_secret_always = False  # the pickled provider holds no credential, see module docstring

    inputs: ClassVar[tuple[str, ...]] = ()
    replace_on: ClassVar[tuple[str, ...]] = ()
    not_diffed: ClassVar[tuple[str, ...]] = ()
    """Inputs read on create only: a later value, known or not, is never a change."""
    delete_before_replace: ClassVar[bool] = False
    """Set where the old and the new object cannot exist side by side."""
    run_caches: ClassVar[tuple[RunCache[Any], ...]] = ()
    """The per-run caches (`_run_cache`) that `configure` empties: a configured provider starts a run."""

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    # --- configuration and clients ------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        config = req.config
        with _build_lock:
            self.__dict__["_config_lookup"] = config.get
            self._drop_clients()
        for cache in self.run_caches:
            cache.clear()

    def _lookup(self) -> Callable[[str], Any] | None:
        lookup: Callable[[str], Any] | None = self.__dict__.get("_config_lookup")
        return lookup

    def _drop_clients(self) -> None:
        for key in ("_zendesk_client", "_make_client"):
            client = self.__dict__.pop(key, None)
            if client is not None:
                client.close()

    def _client(self, key: str, build: Callable[[Callable[[str], Any] | None], C]) -> C:
        """The client kept under `key`, built from the configuration on first use (once, whatever the threads)."""
        client: C | None = self.__dict__.get(key)
        if client is None:
            with _build_lock:
                client = self.__dict__.get(key)
                if client is None:
                    client = self.__dict__[key] = build(self._lookup())
        return client

    @property
    def zendesk(self) -> ZendeskClient:
        return self._client("_zendesk_client", lambda lookup: ZendeskClient(ZendeskSettings.resolve(lookup)))

    @property
    def make(self) -> MakeClient:
        return self._client("_make_client", lambda lookup: MakeClient(MakeSettings.resolve(lookup)))

    # --- diff ---------------------------------------------------------------------------------

    def normalize(self, name: str, value: Any) -> Any:
        """The comparable form of an input or output value; override where the API rewrites values."""
        return value

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare declared inputs with the state's outputs; no API call.

        An unknown new value counts as a change (a replacement if the property needs one). Values compare
        as JSON values (`_numbers.same`): the state's `5.0` is the declared `5`, but `true` is not `1`.
        """
        changed: list[str] = []
        for name in self.inputs:
            if name in self.not_diffed:
                continue
            new = news.get(name)
            old = olds.get(name)
            if contains_unknown(new):
                changed.append(name)
                continue
            if not same(self.normalize(name, old), self.normalize(name, new)):
                changed.append(name)
        replaces = [name for name in changed if name in self.replace_on]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=True if replaces and self.delete_before_replace else None,
        )

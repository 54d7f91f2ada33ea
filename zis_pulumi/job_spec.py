"""Installing a ZIS job spec: the switch that makes a bundle's flow run when its event happens.

A job spec comes with a bundle; this resource only installs it (and uninstalls it on delete). The API
knows a job spec by its fully qualified name `zis:{integration}:job_spec:{name}`, which is also the
resource ID. The install endpoint answers nothing useful, so what a job spec is (event, flow, whether it
is installed) is read from the integration's job spec list.

Reads of many installations of one integration (a refresh) share one list call: the provider keeps each
integration's list for a few seconds, only for reads, and drops it on any install or uninstall it makes.
A refresh makes no writes, and the provider process lives for one operation, so nothing stale from an
earlier operation can be served.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult

from . import _ownership as ownership
from ._integration import integration_failures
from ._provider import BaseProvider, failure, is_unknown, not_inputs, shown
from ._resource import Out, inputs_from, registered
from ._run_cache import Entry, RunCache
from ._zendesk import job_spec_qualified_name
from .errors import ApiError, NotFoundError, ZisPulumiError
from .models import JobSpec

__all__ = ["JobSpecInstallation", "JobSpecInstallationArgs", "JobSpecInstallationProvider"]

INPUTS = ("integration", "job_spec_name")
OUTPUTS = ("installed", "event_source", "event_type", "flow_name", "description")
QUALIFIED_NAME = re.compile(r"^zis:(?P<integration>[^:]*):job_spec:(?P<name>.*)$")
SHORT_NAME = re.compile(r"^[^:\s]+$")


def split_qualified_name(qualified_name: str) -> tuple[str, str] | None:
    """`zis:{integration}:job_spec:{name}` → (integration, name); None for any other form."""
    match = QUALIFIED_NAME.match(qualified_name)
    if match is None:
        return None
    return match.group("integration"), match.group("name")


def job_spec_name_problem(value: Any, integration: str | None) -> str | None:
    """Why `value` is not a job spec name for `integration` (None: not known yet), or None."""
    allowed = (
        f"a short name such as `on_ticket_created` (no ':' or spaces) or `zis:{integration or '{integration}'}"
        ":job_spec:NAME`"
    )
    if not isinstance(value, str) or not value:
        return f"must be {allowed} (got {shown(value)})"
    if SHORT_NAME.match(value):
        return None
    parts = split_qualified_name(value)
    if parts is None or not SHORT_NAME.match(parts[1]):
        return f"must be {allowed} (got {shown(value)})"
    if integration is not None and parts[0] != integration:
        return f"names a job spec of integration {parts[0]!r}, but `integration` is {integration!r}"
    return None


def validate(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The normalised inputs (job spec name fully qualified) and every problem, each naming its property."""
    failures = not_inputs("JobSpecInstallation", news, INPUTS, OUTPUTS)

    integration = news.get("integration")
    problems = integration_failures(integration, "the job spec")
    failures.extend(problems)
    known = integration is not None and not is_unknown(integration) and not problems
    known_integration = str(integration) if known else None

    job_spec_name = news.get("job_spec_name")
    if job_spec_name is None:
        failures.append(failure("job_spec_name", "is required: the job spec's short or fully qualified name"))
    elif not is_unknown(job_spec_name):
        problem = job_spec_name_problem(job_spec_name, known_integration)
        if problem:
            failures.append(failure("job_spec_name", problem))
        elif known_integration is not None:
            job_spec_name = job_spec_qualified_name(known_integration, str(job_spec_name))
    return {"integration": integration, "job_spec_name": job_spec_name}, failures


# --- a short-lived list per integration, for reads --------------------------------------------------


class JobSpecLists:
    """Each integration's job spec list, shared by the reads that ask for it within `ttl` seconds.

    One fetch per integration at a time: concurrent reads wait for it instead of listing again. Any
    write through `invalidate` drops the integration's list for reads, and a list fetched while it ran is
    not served to reads either. Thread-safe; a `RunCache` holds the lists.
    """

    def __init__(self, cache: RunCache[list[JobSpec]] | None = None, scope: str = "") -> None:
        self._cache: RunCache[list[JobSpec]] = RunCache() if cache is None else cache
        self._scope = scope
        """What the keys start with: the Zendesk URL, so two accounts in one process never share a list."""

    def get_since(self, integration: str, fetch: Callable[[], list[JobSpec]], since: float) -> list[JobSpec]:
        """A list whose fetch started at or after `since` (a `time.monotonic()`), so it shows every write
        that had finished by then: installs finishing together share one list instead of one each."""
        return self._cache.get(
            (self._scope, integration, "latest"),
            fetch,
            fresh=lambda entry, _: entry.started >= since,
            gate=(self._scope, integration),
        )

    def get(self, integration: str, fetch: Callable[[], list[JobSpec]], ttl: float) -> list[JobSpec]:
        if ttl <= 0:
            return fetch()

        def fetch_and_keep_as_latest() -> list[JobSpec]:
            started = time.monotonic()
            job_specs = fetch()
            self._cache.put((self._scope, integration, "latest"), job_specs, started=started)
            return job_specs

        def fresh(entry: Entry[list[JobSpec]], generation: int) -> bool:
            return entry.generation == generation and time.monotonic() - entry.started < ttl

        return self._cache.get(
            (self._scope, integration, "for reads"),
            fetch_and_keep_as_latest,
            fresh=fresh,
            gate=(self._scope, integration),
        )

    def invalidate(self, integration: str) -> None:
        self._cache.drop((self._scope, integration, "for reads"))


_job_spec_lists: RunCache[list[JobSpec]] = RunCache()
"""The lists of this provider process, by (Zendesk URL, integration); emptied on configure."""


# --- the provider ---------------------------------------------------------------------------------


class JobSpecInstallationProvider(BaseProvider):
    """Installs a job spec on create, uninstalls it on delete; reads it from the integration's list.

    Both inputs replace, so the engine never asks for an update: there is none.
    """

    inputs = INPUTS
    replace_on = INPUTS

    run_caches = (_job_spec_lists,)
    list_cache_seconds: float = 5.0
    """How long reads reuse an integration's job spec list (0: every read lists)."""

    @property
    def _lists(self) -> JobSpecLists:
        return JobSpecLists(_job_spec_lists, self.zendesk.base_url)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news, owner = ownership.take_owner(news)
        inputs, failures = validate(news)
        integration, qualified_name = inputs["integration"], inputs["job_spec_name"]
        if not failures and not is_unknown(integration) and not is_unknown(qualified_name):
            identity = (str(integration), str(qualified_name))
            failures = ownership.conflicts(ownership.JOB_SPEC, owner, {identity: _describe(identity[1])})
        return CheckResult(inputs, failures)

    # --- API steps ---------------------------------------------------------------------------------

    def _find(self, integration: str, short_name: str, *, shared: bool) -> JobSpec | None:
        """The job spec from the integration's list; `shared` allows a list another read just fetched."""
        if shared:
            job_specs = self._lists.get(
                integration, lambda: self.zendesk.list_job_specs(integration), self.list_cache_seconds
            )
        else:
            job_specs = self.zendesk.list_job_specs(integration)
        return next((spec for spec in job_specs if spec.name == short_name), None)

    def _install(self, integration: str, qualified_name: str) -> None:
        try:
            self.zendesk.install_job_spec(qualified_name)
        except ApiError as exc:
            if exc.status != 400:
                raise
            raise exc.with_detail(
                f"no bundle of integration {integration!r} declares {qualified_name}: upload the bundle "
                "first (give the installation `depends_on=[bundle]`) and check the name"
            ) from None
        finally:
            # After the write, so that a list fetched while it ran is neither kept nor stored.
            self._lists.invalidate(integration)

    def _installed(self, integration: str, qualified_name: str) -> dict[str, Any]:
        """Install and return the outputs as listed afterwards."""
        self._install(integration, qualified_name)
        installed_at = time.monotonic()
        short_name = _short_name(qualified_name)
        job_specs = self._lists.get_since(integration, lambda: self.zendesk.list_job_specs(integration), installed_at)
        spec = next((spec for spec in job_specs if spec.name == short_name), None)
        if spec is None:
            raise ZisPulumiError(
                f"ZIS job spec {qualified_name} was installed but is not in integration {integration!r}'s job "
                "spec list; was its bundle deleted meanwhile?"
            )
        return _outputs(integration, qualified_name, spec)

    # --- CRUD ----------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Install, unless the integration's list shows the job spec installed already: then take it over.

        An installed job spec (a retry after a lost answer, one installed by hand, or one a resource renamed
        without aliases held) is taken over, and the output says so: installing again would answer 200 or
        409 and tell nothing. The list, shared by the creates of an integration that start together, also
        gives the outputs; only a job spec it does not show is listed again after the install.
        """
        integration, qualified_name = _identity(props)
        started = time.monotonic()
        try:
            job_specs = self._lists.get_since(integration, lambda: self.zendesk.list_job_specs(integration), started)
        except NotFoundError:
            job_specs = []  # the install below says what is missing
        listed = next((spec for spec in job_specs if spec.name == _short_name(qualified_name)), None)
        if listed is None:
            return CreateResult(qualified_name, self._installed(integration, qualified_name))
        if listed.installed:
            ownership.adopted(ownership.JOB_SPEC, (integration, qualified_name), _describe(qualified_name))
        else:
            self._install(integration, qualified_name)
        installed = listed.model_copy(update={"installed": True})
        return CreateResult(qualified_name, _outputs(integration, qualified_name, installed))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        integration, qualified_name = _identity(props, id_)
        try:
            spec = self._find(integration, _short_name(qualified_name), shared=True)
        except NotFoundError:
            spec = None
        if spec is None or not spec.installed:
            # Not installed (an upload orphaned it, or someone uninstalled it) or gone: the next `up`
            # installs it again.
            return ReadResult("", {})
        outs = _outputs(integration, qualified_name, spec)
        return ReadResult(qualified_name, outs, inputs={"integration": integration, "job_spec_name": qualified_name})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Uninstall (not installed, or gone, is fine), unless a resource of this run declares it (`_ownership`)."""
        integration, qualified_name = _identity(props, id_)
        if ownership.kept(ownership.JOB_SPEC, (integration, qualified_name), _describe(qualified_name)):
            return
        try:
            self.zendesk.uninstall_job_spec(qualified_name)
        except NotFoundError:
            return  # not installed: nothing to do
        except ApiError as exc:
            # 400 "invalid job spec": the job spec itself is gone (its bundle was deleted) — unless the
            # list says otherwise, in which case the 400 means something else and must be seen.
            if exc.status == 400 and self._find(integration, _short_name(qualified_name), shared=False) is None:
                return
            raise
        finally:
            self._lists.invalidate(integration)


def _describe(qualified_name: str) -> str:
    return f"installation of ZIS job spec {qualified_name}"


def _short_name(qualified_name: str) -> str:
    parts = split_qualified_name(qualified_name)
    return parts[1] if parts else qualified_name


def _identity(props: Mapping[str, Any], id_: str = "") -> tuple[str, str]:
    """(integration, fully qualified name) from inputs or outputs, or from the ID alone."""
    integration = props.get("integration")
    name = props.get("job_spec_name")
    if isinstance(integration, str) and integration and isinstance(name, str) and name:
        return integration, job_spec_qualified_name(integration, name)
    parts = split_qualified_name(id_)
    if parts is None:
        raise ZisPulumiError(
            f"a JobSpecInstallation needs its integration and job spec name (or an ID `zis:INTEGRATION:job_spec:NAME`);"
            f" got the ID {id_!r}"
        )
    return parts[0], id_


def _outputs(integration: str, qualified_name: str, spec: JobSpec) -> dict[str, Any]:
    return {
        "integration": integration,
        "job_spec_name": qualified_name,
        **spec.model_dump(include=set(OUTPUTS)),
    }


# --- the resource ---------------------------------------------------------------------------------


@dataclass
class JobSpecInstallationArgs:
    """The inputs of a `JobSpecInstallation`."""

    integration: pulumi.Input[str]
    """The integration the job spec belongs to: 1 to 64 of a-z, 0-9, '-', '_'. A change replaces."""
    job_spec_name: pulumi.Input[str]
    """The job spec's name in its bundle (`on_ticket_created`) or fully qualified
    (`zis:acme_sync:job_spec:on_ticket_created`); stored fully qualified. A change replaces."""


class JobSpecInstallation(dynamic.Resource, module="zis", name="JobSpecInstallation"):
    """An installed ZIS job spec: while it exists, the job spec's flow runs on its event.

    The job spec must be declared by a bundle of the integration: give the installation
    `opts=pulumi.ResourceOptions(depends_on=[bundle])`. The Bundle resource installs again, after each
    upload, the job specs the upload uninstalled; a refresh that finds this job spec uninstalled (or
    gone) drops it from the state, and the next `up` installs it again.
    """

    def __init__(
        self,
        resource_name: str,
        args: JobSpecInstallationArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        integration: pulumi.Input[str] | None = None,
        job_spec_name: pulumi.Input[str] | None = None,
    ) -> None:
        inputs = inputs_from("JobSpecInstallation", args, JobSpecInstallationArgs, locals(), required=INPUTS)
        props = registered(self, resource_name, opts, inputs, OUTPUTS)
        super().__init__(JobSpecInstallationProvider(), resource_name, props, opts)

    integration = Out[str]("The integration the job spec belongs to.")
    job_spec_name = Out[str]("The fully qualified name, `zis:{integration}:job_spec:{name}` (also the resource ID).")
    installed = Out[bool]("Whether the job spec is installed (True after every create).")
    event_source = Out[str | None]("Where the event comes from, e.g. `support`.")
    event_type = Out[str | None]("The event that starts the flow, e.g. `ticket.TicketCreated`.")
    flow_name = Out[str | None]("The flow that runs, `zis:{integration}:flow:{name}`.")
    description = Out[str | None]("The job spec's description in its bundle.")

"""`zis-pulumi export`: read integrations and Make apps from an account, write a Pulumi project that adopts them.

`account` reads (through the providers' own clients), `program` turns what was read into the project's files,
`code` writes Python source that needs no formatter.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._make import MakeClient
from .._zendesk import ZendeskClient
from .account import (
    DEFAULT_LINK_PREFIXES,
    Account,
    ExportedConnection,
    ExportedIntegration,
    ExportError,
    LinkSearch,
    Progress,
    read_integration,
    read_make_app,
)
from .program import DEFAULT_LINK_SET_ABOVE, Program, pulumi_yaml, render

__all__ = [
    "DEFAULT_LINK_PREFIXES",
    "DEFAULT_LINK_SET_ABOVE",
    "ExportError",
    "ExportRequest",
    "LinkSearch",
    "Progress",
    "export",
    "read_account",
    "write_project",
]

PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "secrets.sh")


@dataclass(frozen=True)
class ExportRequest:
    """What to export and where."""

    out: Path
    integrations: Sequence[str] = ()
    make_apps: Sequence[str] = ()
    links: LinkSearch | None = None
    """None: no links."""
    project_name: str | None = None
    """Defaults to the directory's name."""
    virtualenv: str | None = None
    """The virtualenv Pulumi runs the program in (`runtime.options.virtualenv`); None: the `python` on PATH."""
    link_set_above: int = DEFAULT_LINK_SET_ABOVE
    force: bool = False
    """Overwrite a project already in `out`."""


def read_account(
    request: ExportRequest, zendesk: ZendeskClient | None, make: MakeClient | None, progress: Progress
) -> Account:
    integrations: list[ExportedIntegration] = []
    for integration in sorted(set(request.integrations)):
        assert zendesk is not None, "integrations need a Zendesk client"
        integrations.append(read_integration(zendesk, integration, request.links, progress))
    connections: list[ExportedConnection] = []
    for app in sorted(set(request.make_apps)):
        assert make is not None, "Make apps need a Make client"
        connections.extend(read_make_app(make, app, progress))
    return Account(
        zendesk_url=zendesk.base_url if zendesk is not None and integrations else None,
        make_url=make.base_url if make is not None and request.make_apps else None,
        integrations=integrations,
        connections=connections,
    )


def _project_name(request: ExportRequest) -> str:
    if request.project_name:
        return request.project_name
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in request.out.resolve().name).strip("-.")
    return name or "zis-pulumi-export"


def check_target(request: ExportRequest) -> None:
    """Refuse to overwrite a project (before anything is read) unless `force`."""
    existing = [name for name in PROJECT_FILES[:2] if (request.out / name).exists()]
    if existing and not request.force:
        raise ExportError(
            f"{request.out} already holds a Pulumi project ({', '.join(existing)}); give --force to overwrite it"
        )


def write_project(request: ExportRequest, program: Program) -> list[Path]:
    """Write the project files into `request.out`; `secrets.sh` (mode 0600) only when there are secrets."""
    check_target(request)
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "Pulumi.yaml", out / "__main__.py"]
    written[0].write_text(pulumi_yaml(_project_name(request), request.virtualenv), encoding="utf-8")
    written[1].write_text(program.main, encoding="utf-8")
    secrets = out / "secrets.sh"
    script = program.secrets_script()
    if script is None:
        secrets.unlink(missing_ok=True)
    else:
        descriptor = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(script)
        written.append(secrets)
        gitignore = out / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("secrets.sh\n", encoding="utf-8")
    return written


def export(
    request: ExportRequest,
    zendesk: ZendeskClient | None,
    make: MakeClient | None,
    progress: Progress,
    *,
    has_link_set: bool | None = None,
) -> list[Path]:
    """Read the account, write the project; the written files. `has_link_set` None: whether zis_pulumi has one."""
    if has_link_set is None:
        import zis_pulumi

        has_link_set = hasattr(zis_pulumi, "LinkSet")
    check_target(request)
    account = read_account(request, zendesk, make, progress)
    program = render(account, link_set_above=request.link_set_above, has_link_set=has_link_set)
    written = write_project(request, program)
    progress.say(f"wrote {', '.join(str(path) for path in written)}: {program.resources} resource(s)")
    return written

"""Bad input: every invalid declaration is refused at preview, naming the property, before any request.

One project; each case is a `pulumi preview --config case=N` of the program, which then declares only
that case's resource (see `spec.BAD_CASES`: names, versions, references, wildcards, shapes, types and
unknown fields, across the four resources).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zis_pulumi.emulator import EmulatorServer

from .conftest import Admin, Project, leaks, make_project
from .program.spec import BAD_CASES, BadCase


def test_there_are_at_least_30_cases_across_all_resources() -> None:
    assert len(BAD_CASES) >= 30
    kinds = {case.kind.removeprefix("raw:").split(":")[-1].lower() for case in BAD_CASES}
    assert {"bundle", "install", "jobspecinstallation", "link", "connection", "appconnection"} & kinds
    assert {"bundle", "install", "link", "connection"} <= {c.kind for c in BAD_CASES}


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, rel_emulator: EmulatorServer
) -> Iterator[Project]:
    yield make_project(tmp_path_factory.mktemp("bad-input"), pulumi_bin, rel_emulator)


@pytest.mark.parametrize(
    "index", range(len(BAD_CASES)), ids=[f"{i}-{c.kind}-{c.property}" for i, c in enumerate(BAD_CASES)]
)
def test_bad_input_is_refused_at_preview_naming_the_property_with_no_request(
    index: int, project: Project, admin: Admin, rel_emulator: EmulatorServer
) -> None:
    case: BadCase = BAD_CASES[index]
    result = project.run("preview", "--config", f"case={index}", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"case {index} ({case.why}) was accepted:\n{output[-3000:]}"
    assert f"case-{index}" in output, output[-3000:]
    # The engine prints `property P value V has a problem: …`, or `has a problem: …` when the provider leaves the
    # property out of the failure (so that the engine does not print a secret value) and names it in the reason.
    named = f"property {case.property} " in output or f"has a problem: {case.property}" in output
    assert named, f"case {index} ({case.why}): the message does not name `{case.property}`:\n{output[-3000:]}"
    assert admin.request_count() == 0, admin.requests()["by_endpoint"]
    assert not leaks(rel_emulator, [("preview", output)])

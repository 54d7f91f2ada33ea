"""Real artifacts through the real pulumi CLI: up, a no-change preview, destroy.

Three bundles from tests/data (one kept as the get-bundle API answers it) and two Make connection definitions as
their repositories keep them; see tests/data/SOURCES.md. What ZIS is not known to refuse shows as warnings.
No test depends on another: the first preview and destroy have stacks of their own, the others share one deployed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EmulatorAdmin
from tests.engine.conftest import Project, new_project, own_emulator
from zis_pulumi.emulator import EmulatorServer

PROGRAM = Path(__file__).parent / "corpus_program"
DATA = Path(__file__).resolve().parents[1] / "data"


def corpus_project(tmp: Path, pulumi_bin: Path, emulator: EmulatorServer) -> Project:
    """A stack of the corpus program, not deployed."""
    project = new_project(tmp, pulumi_bin, emulator, PROGRAM, "zis-pulumi-corpus")
    project.config({"dataDir": str(DATA)})
    project.config({"clientSecret": "corpus-client-secret"}, secret=True)
    return project


@pytest.fixture
def fresh(tmp_path: Path, pulumi_bin: Path, engine_emulator: EmulatorServer) -> Project:
    return corpus_project(tmp_path, pulumi_bin, engine_emulator)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, engine_emulator: EmulatorServer) -> Project:
    """The stack deployed, for the tests that only look."""
    project = corpus_project(tmp_path_factory.mktemp("corpus"), pulumi_bin, engine_emulator)
    project.up()
    return project


@pytest.fixture
def own(tmp_path: Path, pulumi_bin: Path) -> Iterator[tuple[Project, EmulatorAdmin]]:
    """A deployed stack on an emulator of its own, for a test that removes it."""
    with own_emulator() as (emulator, admin):
        project = corpus_project(tmp_path, pulumi_bin, emulator)
        project.up()
        yield project, admin


def test_first_preview_warns_of_what_zis_is_not_known_to_refuse(fresh: Project) -> None:
    result = fresh.run("preview")
    output = result.stdout + result.stderr
    assert "resources: no ZIS::JobSpec" in output, output[-4000:]
    assert "resources.update_ticket.properties: fields ['schema']" in output
    assert "names a flow of integration 'example', not 'my_integration'" in output


def test_up_deploys_every_artifact(project: Project, engine_admin: EmulatorAdmin) -> None:
    zis = engine_admin.state()["zis"]
    assert sorted(b["name"] for b in zis["bundles"].values()) == [
        "SurveySparrow Integration Bundle",
        "example bundle",
        "incode_identity_verification",
    ]
    assert len(engine_admin.state()["make"]["connections"]) == 2


def test_a_second_preview_expects_no_changes_and_makes_no_request(
    project: Project, engine_admin: EmulatorAdmin
) -> None:
    engine_admin.reset(counters_only=True)
    project.run("preview", "--expect-no-changes")
    assert engine_admin.request_count() == 0, engine_admin.requests()["by_endpoint"]


def test_destroy_removes_everything(own: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = own
    project.run("destroy", "--yes", "--skip-preview")
    assert admin.state()["zis"]["bundles"] == {}
    assert admin.state()["make"]["connections"] == {}

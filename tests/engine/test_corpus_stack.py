"""Real artifacts through the real pulumi CLI: up, a no-change preview, destroy.

Three bundles from tests/data (one kept as the get-bundle API answers it) and two Make connection definitions as
their repositories keep them; see tests/data/SOURCES.md. What ZIS is not known to refuse shows as warnings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EmulatorAdmin
from tests.engine.conftest import PASSPHRASE, STACK, Project
from zis_pulumi.emulator import EmulatorServer

PROGRAM = Path(__file__).parent / "corpus_program"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, engine_emulator: EmulatorServer
) -> Iterator[Project]:
    project = Project.create(
        tmp_path_factory.mktemp("corpus"),
        PROGRAM,
        name="zis-pulumi-corpus",
        bin_dir=pulumi_bin,
        settings=engine_emulator.env(),
        passphrase=PASSPHRASE,
    )
    project.run("stack", "init", STACK)
    project.config({"dataDir": str(DATA)})
    project.config({"clientSecret": "corpus-client-secret"}, secret=True)
    yield project


def test_01_preview_warns_of_what_zis_is_not_known_to_refuse(project: Project, engine_admin: EmulatorAdmin) -> None:
    result = project.run("preview")
    output = result.stdout + result.stderr
    assert "resources: no ZIS::JobSpec" in output, output[-4000:]
    assert "resources.update_ticket.properties: fields ['schema']" in output
    assert "names a flow of integration 'example', not 'my_integration'" in output


def test_02_up_deploys_every_artifact(project: Project, engine_admin: EmulatorAdmin) -> None:
    project.up()
    zis = engine_admin.state()["zis"]
    assert sorted(b["name"] for b in zis["bundles"].values()) == [
        "SurveySparrow Integration Bundle",
        "example bundle",
        "incode_identity_verification",
    ]
    assert len(engine_admin.state()["make"]["connections"]) == 2


def test_03_a_second_preview_expects_no_changes_and_makes_no_request(
    project: Project, engine_admin: EmulatorAdmin
) -> None:
    engine_admin.reset(counters_only=True)
    project.run("preview", "--expect-no-changes")
    assert engine_admin.request_count() == 0, engine_admin.requests()["by_endpoint"]


def test_04_destroy_removes_everything(project: Project, engine_admin: EmulatorAdmin) -> None:
    project.run("destroy", "--yes", "--skip-preview")
    assert engine_admin.state()["zis"]["bundles"] == {}
    assert engine_admin.state()["make"]["connections"] == {}

"""`zis-pulumi export` against an emulator account seeded through its API: what the written program declares,
where the secrets go, that the code is formatted, importable and the same on every run, progress and errors.

The program is run here with stand-ins for `pulumi` and `zis_pulumi` that record each resource declared (its
arguments bound to the real constructor's signature); tests/engine/test_export_roundtrip.py runs it for real.
"""

from __future__ import annotations

import builtins
import inspect
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import zis_pulumi
from tests.conftest import EmulatorAdmin
from tests.support.account import (
    ACME_BUNDLE,
    API_KEY_LABEL,
    API_KEY_SECTIONS,
    APP,
    CLIENT_SECRET,
    DATA,
    EXAMPLE_INTEGRATION,
    INTEGRATION,
    LINK_TYPE,
    LINKS,
    MANY_LINK_TYPE,
    OAUTH_SECTIONS,
    Seeded,
    seed_account,
)
from zis_pulumi._cli import main
from zis_pulumi._export import ExportRequest, LinkSearch, Progress, account, export
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.config import ZendeskSettings
from zis_pulumi.emulator import EmulatorServer

WIRE_PROPS = {"installSpec": "install_spec"}
KINDS = ("Bundle", "JobSpecInstallation", "Link", "LinkSet", "AppConnection")


@pytest.fixture
def env(emulator: EmulatorServer, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The emulator's settings as the environment the command reads, and nobody else's."""
    for key in list(os.environ):
        if key.startswith(("ZENDESK_", "MAKE_")):
            monkeypatch.delenv(key)
    settings = emulator.env()
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    return settings


@pytest.fixture
def seeded(env: dict[str, str]) -> Seeded:
    return seed_account(env)


def run_export(out: Path, *extra: str) -> int:
    argv = ["export", "--integration", INTEGRATION, "--integration", EXAMPLE_INTEGRATION, "--make-app", APP]
    return main([*argv, "--links", "--out", str(out), *extra])


@dataclass
class Declared:
    kind: str
    name: str
    args: dict[str, Any]


def run_program(path: Path) -> list[Declared]:
    """Execute the program with `pulumi` and `zis_pulumi` stand-ins; every resource it declares, in order."""
    declared: list[Declared] = []

    def resource(kind: str) -> Any:
        signature = inspect.signature(getattr(zis_pulumi, kind).__init__) if hasattr(zis_pulumi, kind) else None

        def construct(resource_name: str, **kwargs: Any) -> str:
            if signature is not None:
                signature.bind(None, resource_name, **kwargs)  # the real constructor takes these arguments
            declared.append(Declared(kind, resource_name, kwargs))
            return f"<{kind} {resource_name}>"

        return construct

    class Config:
        def require_secret_object(self, key: str) -> tuple[str, str]:
            return ("secret", key)

    fakes = {
        "pulumi": SimpleNamespace(Config=Config, ResourceOptions=lambda **kwargs: ("opts", kwargs)),
        "zis_pulumi": SimpleNamespace(**{kind: resource(kind) for kind in KINDS}),
    }

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        return fakes[name] if name in fakes else builtins.__import__(name, *args, **kwargs)

    namespace: dict[str, Any] = {"__builtins__": {**vars(builtins), "__import__": fake_import}, "__name__": "__main__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return declared


def of_kind(declared: list[Declared], kind: str) -> list[Declared]:
    return [d for d in declared if d.kind == kind]


# --- what the program declares ------------------------------------------------------------------------


def test_export_declares_every_bundle_with_all_its_resources(seeded: Seeded, tmp_path: Path) -> None:
    assert run_export(tmp_path / "out") == 0
    bundles = {d.args["integration"]: d for d in of_kind(run_program(tmp_path / "out" / "__main__.py"), "Bundle")}
    example = json.loads((DATA / "zis_example_bundle.json").read_text())
    assert bundles[EXAMPLE_INTEGRATION].args == {
        "integration": EXAMPLE_INTEGRATION,
        "name": example["name"],
        "description": example["description"],
        "zis_template_version": example["zis_template_version"],
        "resources": example["resources"],
    }
    assert bundles[INTEGRATION].args == {"integration": INTEGRATION, **ACME_BUNDLE}
    assert bundles[INTEGRATION].name == "acme_sync"
    assert bundles[EXAMPLE_INTEGRATION].name == "example_example_bundle"  # "example bundle": a valid identifier


def test_export_declares_each_installed_job_spec_after_its_bundle(seeded: Seeded, tmp_path: Path) -> None:
    assert run_export(tmp_path / "out") == 0
    installations = of_kind(run_program(tmp_path / "out" / "__main__.py"), "JobSpecInstallation")
    assert [(d.args["integration"], d.args["job_spec_name"], d.args["opts"]) for d in installations] == [
        (INTEGRATION, "on_ticket_created", ("opts", {"depends_on": ["<Bundle acme_sync>"]})),
        (EXAMPLE_INTEGRATION, "my_job_Spec", ("opts", {"depends_on": ["<Bundle example_example_bundle>"]})),
    ]  # on_ticket_solved is not installed: not declared


def test_export_declares_the_links_of_the_types_the_flows_load(seeded: Seeded, tmp_path: Path) -> None:
    assert run_export(tmp_path / "out") == 0
    links = of_kind(run_program(tmp_path / "out" / "__main__.py"), "Link")
    assert [(d.args["link_type"], d.args["left_object"], d.args["right_object"]) for d in links] == [
        (LINK_TYPE, {"name": left, "metadata": lm}, {"name": right, "metadata": rm}) for left, right, lm, rm in LINKS
    ]
    assert all(d.args["integration"] == INTEGRATION for d in links)


def test_export_declares_each_make_connection_adopted_by_name_with_its_sections(seeded: Seeded, tmp_path: Path) -> None:
    assert run_export(tmp_path / "out") == 0
    connections = {
        d.args["adopt_name"]: d.args for d in of_kind(run_program(tmp_path / "out" / "__main__.py"), "AppConnection")
    }
    oauth = connections[seeded.oauth_connection]
    assert (oauth["app_name"], oauth["type"], oauth["label"]) == (APP, "oauth", "Acme CRM (OAuth)")
    assert {k: oauth[WIRE_PROPS.get(k, k)] for k in OAUTH_SECTIONS} == OAUTH_SECTIONS
    assert oauth["common"] == ("secret", "acme_crm_common")
    api_key = connections[seeded.api_key_connection]
    assert (api_key["type"], api_key["label"]) == ("basic", API_KEY_LABEL)
    assert {k: api_key[k] for k in API_KEY_SECTIONS} == API_KEY_SECTIONS
    assert "common" not in api_key  # no common data: no secret


# --- secrets ----------------------------------------------------------------------------------------------


def test_secrets_are_only_in_secrets_sh_which_is_private(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_export(out) == 0
    for name in ("__main__.py", "Pulumi.yaml"):
        assert CLIENT_SECRET not in (out / name).read_text()
        assert "s3cr3t" not in (out / name).read_text()
    assert stat.S_IMODE((out / "secrets.sh").stat().st_mode) == 0o600
    assert "secrets.sh" in (out / ".gitignore").read_text().split()


def test_secrets_sh_passes_each_secret_to_pulumi_config_set_intact(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_export(out) == 0
    # A stand-in `pulumi` that records its arguments: what the shell passes after quoting is what matters here.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "pulumi"
    recorder.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    recorder.chmod(0o755)
    result = subprocess.run(
        ["sh", str(out / "secrets.sh"), "--stack", "dev"],
        cwd=tmp_path,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": "/nowhere"},
        capture_output=True,
        text=True,
        check=True,
    )
    (argv,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert argv[:4] == ["config", "set", "--secret", "acme_crm_common"]
    assert argv[5:] == ["--stack", "dev"]
    assert json.loads(argv[4]) == {"clientId": "acme-client", "clientSecret": CLIENT_SECRET}


def test_no_secrets_no_secrets_sh_and_no_config(env: dict[str, str], tmp_path: Path) -> None:
    seed_account(env)
    out = tmp_path / "out"
    assert main(["export", "--integration", INTEGRATION, "--out", str(out)]) == 0
    assert not (out / "secrets.sh").exists()
    assert "pulumi.Config()" not in (out / "__main__.py").read_text()


# --- the code -----------------------------------------------------------------------------------------------


def test_generated_code_is_ruff_clean_and_compiles(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_export(out) == 0
    main_py = out / "__main__.py"
    compile(main_py.read_text(), str(main_py), "exec")
    ruff = [sys.executable, "-m", "ruff"]
    formatted = subprocess.run(
        [*ruff, "format", "--isolated", "--check", "--diff", str(main_py)], capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    linted = subprocess.run(
        [*ruff, "check", "--isolated", "--select", "E,F,W,I,B", "--ignore", "E501", str(main_py)],
        cwd=out,  # outside this repository, where zis_pulumi is a third-party package as for users
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_generated_program_imports_the_real_package(seeded: Seeded, tmp_path: Path) -> None:
    """Every name the program uses from `pulumi` and `zis_pulumi` exists in the installed packages."""
    out = tmp_path / "out"
    assert run_export(out) == 0
    text = (out / "__main__.py").read_text()
    for kind in KINDS:
        if f"zis.{kind}(" in text:
            assert hasattr(zis_pulumi, kind)
    assert "import zis_pulumi as zis" in text


def test_export_is_deterministic(seeded: Seeded, tmp_path: Path) -> None:
    assert run_export(tmp_path / "a", "--project-name", "p") == 0
    assert run_export(tmp_path / "b", "--project-name", "p") == 0
    for name in ("Pulumi.yaml", "__main__.py", "secrets.sh"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_pulumi_yaml_is_a_python_project(seeded: Seeded, tmp_path: Path) -> None:
    import yaml

    assert run_export(tmp_path / "out", "--project-name", "acme", "--virtualenv", "venv") == 0
    document = yaml.safe_load((tmp_path / "out" / "Pulumi.yaml").read_text())
    assert document["name"] == "acme"
    assert document["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}


def test_the_console_script_is_zis_pulumi() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "zis-pulumi"]
    assert script.value == "zis_pulumi._cli:main"


def test_python_m_zis_pulumi_runs_the_command(env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "zis_pulumi", "export", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--integration" in result.stdout and "--make-app" in result.stdout


# --- many links --------------------------------------------------------------------------------------------


def export_many_links(env: dict[str, str], out: Path, *, has_link_set: bool) -> list[Declared]:
    seed_account(env, many_links=25)
    request = ExportRequest(
        out=out, integrations=(INTEGRATION,), links=LinkSearch(link_types=(MANY_LINK_TYPE,), prefixes=("zendesk:",))
    )
    with ZendeskClient(ZendeskSettings.resolve(environ=env)) as zendesk:
        export(request, zendesk, None, Progress(None), has_link_set=has_link_set)
    return run_program(out / "__main__.py")


@pytest.mark.skipif(not hasattr(zis_pulumi, "LinkSet"), reason="zis_pulumi has no LinkSet yet")
def test_more_links_of_a_type_than_the_threshold_are_one_link_set(env: dict[str, str], tmp_path: Path) -> None:
    declared = export_many_links(env, tmp_path / "out", has_link_set=True)
    (link_set,) = of_kind(declared, "LinkSet")
    assert link_set.args["link_type"] == MANY_LINK_TYPE
    assert len(link_set.args["links"]) == 25
    assert link_set.args["links"][0] == {
        "left_object": {"name": "zendesk:ticket0", "metadata": {"n": 0}},
        "right_object": {"name": "slack:thread0", "metadata": {}},
    }
    assert of_kind(declared, "Link") == []


def test_without_link_set_many_links_are_links(env: dict[str, str], tmp_path: Path) -> None:
    declared = export_many_links(env, tmp_path / "out", has_link_set=False)
    links = of_kind(declared, "Link")
    assert len(links) == 25 and of_kind(declared, "LinkSet") == []
    assert len({d.name for d in links}) == 25


def test_link_search_reads_every_prefix_and_reports_progress(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_account(env, many_links=25)
    monkeypatch.setattr(account, "PROGRESS_EVERY", 10)
    out = tmp_path / "out"
    assert main(["export", "--integration", INTEGRATION, "--link-type", MANY_LINK_TYPE, "--out", str(out)]) == 0
    stderr = capsys.readouterr().err
    assert f"25 links of type {MANY_LINK_TYPE!r} read so far" in stderr
    assert f"25 link(s) of type {MANY_LINK_TYPE!r}" in stderr
    assert f"type {LINK_TYPE!r}" not in stderr  # --link-type replaces the types the flows name


# --- errors ---------------------------------------------------------------------------------------------------


def test_a_failed_read_names_what_was_read_and_the_request(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAKE_API_TOKEN", "wrong-token")
    assert run_export(tmp_path / "out") == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("zis-pulumi export: error: reading the connections of Make app 'acme-crm' failed: ")
    assert "401" in error and f"GET {os.environ['MAKE_BASE_URL']}/sdk/apps/acme-crm/connections" in error
    assert "wrong-token" not in error
    assert not (tmp_path / "out" / "__main__.py").exists()


def test_links_without_the_oauth_token_say_which_setting_is_missing(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ZENDESK_OAUTH_TOKEN")
    assert run_export(tmp_path / "out") == 1
    assert "ZENDESK_OAUTH_TOKEN" in capsys.readouterr().err


def test_an_existing_project_is_not_overwritten_without_force(
    seeded: Seeded, tmp_path: Path, admin: EmulatorAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "__main__.py").write_text("# mine\n")
    admin.reset(counters_only=True)
    assert run_export(out) == 1
    assert "--force" in capsys.readouterr().err
    assert admin.request_count() == 0  # refused before reading anything
    assert run_export(out, "--force") == 0
    assert (out / "__main__.py").read_text() != "# mine\n"


def test_nothing_to_export_is_an_error(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--out", str(tmp_path / "out")]) == 1
    assert "--integration" in capsys.readouterr().err

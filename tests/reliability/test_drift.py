"""Drift: each kind of resource changed or deleted outside Pulumi is detected by `refresh` and repaired by `up`.

The tests share one deployed stack and run in order; each changes one thing by hand through the API (as an
admin would in Zendesk or Make), then `pulumi refresh` must report it and `pulumi up` must put back exactly
what the program declares, after which a preview shows no change.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from zis_pulumi.emulator import EmulatorServer

from .conftest import (
    Admin,
    Project,
    assert_holds,
    declared,
    leaks,
    make_project,
)
from .program.spec import INTEGRATION, LINK_TYPE

ZIS = "/api/services/zis"


@dataclass
class Hands:
    """Changes made by hand, straight through the vendors' APIs."""

    server: EmulatorServer
    admin: Admin

    def _zendesk(self, bearer: bool) -> httpx.Client:
        env = self.server.env()
        if bearer:
            auth = f"Bearer {env['ZENDESK_OAUTH_TOKEN']}"
        else:
            basic = base64.b64encode(f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}".encode()).decode()
            auth = f"Basic {basic}"
        return httpx.Client(
            base_url=self.server.base_url, headers={"Authorization": auth, "User-Agent": "by-hand"}, timeout=30
        )

    def _make(self) -> httpx.Client:
        env = self.server.env()
        return httpx.Client(
            base_url=env["MAKE_BASE_URL"],
            headers={"Authorization": f"Token {env['MAKE_API_TOKEN']}", "User-Agent": "by-hand"},
            timeout=30,
        )

    def bundle(self) -> dict[str, Any]:
        state = self.admin.state()["zis"]["bundles"]
        return next(b for b in state.values() if b["integration"] == INTEGRATION)

    def connection(self, label: str) -> str:
        state = self.admin.state()["make"]["connections"]
        return str(next(c["name"] for c in state.values() if c["label"] == label and c.get("gone_at") is None))

    # --- ZIS
    def reupload_bundle(self) -> None:
        bundle = self.bundle()
        body = {k: bundle[k] for k in ("name", "zis_template_version", "resources")}
        body["description"] = "changed by hand"
        with self._zendesk(bearer=False) as http:
            http.post(f"{ZIS}/registry/{INTEGRATION}/bundles", json=body).raise_for_status()

    def delete_bundle(self) -> None:
        with self._zendesk(bearer=False) as http:
            http.delete(f"{ZIS}/registry/{INTEGRATION}/bundles/{self.bundle()['uuid']}").raise_for_status()

    def uninstall(self, job_spec: str) -> None:
        with self._zendesk(bearer=False) as http:
            http.delete(
                f"{ZIS}/registry/job_specs/install",
                params={"job_spec_name": f"zis:{INTEGRATION}:job_spec:{job_spec}"},
            ).raise_for_status()

    def _link_identity(self, index: int) -> dict[str, str]:
        link = next(x for x in declared(0).links if x.resource == f"link-{index}")
        return {"link_type": LINK_TYPE, "left_object_name": link.left, "right_object_name": link.right}

    def patch_link(self, index: int) -> None:
        body = {"right_object": {"metadata": {"rev": 99, "added_by_hand": True}}}
        with self._zendesk(bearer=True) as http:
            http.patch(f"{ZIS}/links/{INTEGRATION}", params=self._link_identity(index), json=body).raise_for_status()

    def delete_link(self, index: int) -> None:
        with self._zendesk(bearer=True) as http:
            http.delete(f"{ZIS}/links/{INTEGRATION}", params=self._link_identity(index)).raise_for_status()

    # --- Make
    def relabel(self, label: str) -> None:
        with self._make() as http:
            name = self.connection(label)
            http.patch(f"/sdk/apps/connections/{name}", json={"label": label + " (by hand)"}).raise_for_status()

    def rewrite_section(self, label: str) -> None:
        with self._make() as http:
            http.put(
                f"/sdk/apps/connections/{self.connection(label)}/api", json={"url": "https://evil.example.com/"}
            ).raise_for_status()

    def rewrite_common(self, label: str) -> None:
        with self._make() as http:
            http.put(
                f"/sdk/apps/connections/{self.connection(label)}/common", json={"clientId": "someone-else"}
            ).raise_for_status()

    def delete_connection(self, label: str) -> None:
        with self._make() as http:
            http.delete(f"/sdk/apps/connections/{self.connection(label)}").raise_for_status()


@dataclass(frozen=True)
class Drift:
    name: str
    change: Callable[[Hands], None]
    refresh_reports: tuple[str, ...]
    """The operations `pulumi refresh` must count (update: changed; delete: gone from the state)."""


DRIFTS = [
    # A re-upload changes the bundle and, as ZIS does, uninstalls every job spec of the integration.
    Drift("bundle changed (and its job specs orphaned)", lambda h: h.reupload_bundle(), ("update", "delete")),
    Drift("job spec uninstalled", lambda h: h.uninstall("job_1"), ("delete",)),
    Drift("link metadata changed", lambda h: h.patch_link(5), ("update",)),
    Drift("link deleted", lambda h: h.delete_link(6), ("delete",)),
    Drift("Make connection relabelled", lambda h: h.relabel("Reliability 0"), ("update",)),
    Drift("Make connection section rewritten", lambda h: h.rewrite_section("Reliability 1"), ("update",)),
    Drift("Make connection common data rewritten", lambda h: h.rewrite_common("Reliability 2"), ("update",)),
    Drift("Make connection deleted", lambda h: h.delete_connection("Reliability 3"), ("delete",)),
    # Deleting the bundle deletes its job specs too: the installations go with it.
    Drift("bundle deleted", lambda h: h.delete_bundle(), ("delete",)),
]


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, rel_emulator: EmulatorServer
) -> Iterator[tuple[Project, Admin]]:
    admin = Admin(rel_emulator)
    admin.reset()
    project = make_project(tmp_path_factory.mktemp("drift"), pulumi_bin, rel_emulator)
    project.up()
    assert_holds(admin, declared(0), "the first up")
    yield project, admin
    project.destroy()
    assert_holds(admin, None, "the destroy")
    admin.reset()
    admin.http.close()


@pytest.mark.parametrize("drift", DRIFTS, ids=[d.name for d in DRIFTS])
def test_drift_is_detected_by_refresh_and_repaired_by_up(
    drift: Drift, deployed: tuple[Project, Admin], rel_emulator: EmulatorServer
) -> None:
    project, admin = deployed
    drift.change(Hands(rel_emulator, admin))

    summary = project.refresh()
    for op in drift.refresh_reports:
        assert summary.get(op, 0) > 0, f"refresh did not report a {op} after '{drift.name}': {summary}"

    project.up()
    assert_holds(admin, declared(0), f"repairing '{drift.name}'")
    project.assert_no_changes()
    assert not leaks(rel_emulator, [*project.outputs, ("export", json.dumps(project.export()))])

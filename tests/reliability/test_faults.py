"""Cycles of up → edit → up → destroy under faults: 429s, 5xx and lost answers to creates.

After every `up` the emulator holds exactly what the stack declares (no copies, no leftovers); after every
`destroy` it holds nothing the stack made. One cycle also makes the emulator store a second copy of a link
whose identity exists (`link_duplicate: duplicate`), so a create sent twice would show, and answers a
second install of a job spec with 409.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zis_pulumi.emulator import EmulatorServer

from .conftest import (
    CYCLES,
    Admin,
    assert_holds,
    declared,
    leaks,
    make_project,
)

FAULTS: dict[str, Any] = {
    "rate_limit_every": 5,  # a 429 on every 5th request
    "server_error_probability": 0.05,  # 5% 502/503/504
    "lost_response_probability": 0.3,  # 30% of successful creates lose their answer
    "retry_after_seconds": 0,
}


def cycle_settings(cycle: int) -> dict[str, Any]:
    settings: dict[str, Any] = {"faults": {**FAULTS, "seed": 1000 + cycle}}
    if cycle % 2 == 1:
        settings["link_duplicate"] = "duplicate"
        settings["job_spec_reinstall"] = "conflict"
        settings["faults"]["retry_after_seconds"] = 1  # honour a real Retry-After at least once
    return settings


@pytest.mark.parametrize("cycle", range(CYCLES))
def test_up_edit_up_destroy_under_faults_leaves_exactly_the_declared_objects(
    cycle: int, tmp_path: Path, pulumi_bin: Path, rel_emulator: EmulatorServer, admin: Admin
) -> None:
    project = make_project(tmp_path, pulumi_bin, rel_emulator)
    admin.settings(**cycle_settings(cycle))

    project.up()
    assert_holds(admin, declared(0), f"the first up of cycle {cycle}")
    exports = [("stack export after the first up", json.dumps(project.export()))]

    project.config({"generation": 1})
    project.up()
    assert_holds(admin, declared(1), f"the edit's up of cycle {cycle}")
    project.assert_no_changes()
    exports.append(("stack export after the edit", json.dumps(project.export())))

    project.destroy()
    assert_holds(admin, None, f"the destroy of cycle {cycle}")

    # The faults really happened (a vacuous pass would prove nothing).
    statuses = admin.requests()["by_status"]
    assert statuses.get("429", 0) > 0, statuses
    assert sum(statuses.get(s, 0) for s in ("502", "503", "504")) > 0, statuses
    assert statuses.get("lost", 0) > 0, statuses
    assert not leaks(rel_emulator, project.outputs + exports)

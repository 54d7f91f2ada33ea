"""examples/automation/deploy.py: an inline program through the Automation API, up then destroy."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_automation_example_deploys_prints_outputs_and_destroys(pulumi_bin: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "ZENDESK_", "MAKE_"))}
    env["ZIS_PULUMI_BIN"] = str(pulumi_bin)
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "automation" / "deploy.py"), "--workdir", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    line = next(row for row in result.stdout.splitlines() if row.startswith("outputs: "))
    outputs = ast.literal_eval(line.removeprefix("outputs: "))
    assert outputs["installed"] is True
    assert len(outputs["bundle_uuid"]) == 36
    assert outputs["link_id"]
    assert "+ 4 created" in result.stdout
    assert "- 4 deleted" in result.stdout

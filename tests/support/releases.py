"""Earlier releases of zis-pulumi, each installed from its git tag into a virtualenv of its own.

The upgrade tests create stacks with a release and then run the current code on them, as users do when they
upgrade the package under live stacks. A release's venv is built once per commit and kept in the cache
(`ZIS_PULUMI_CACHE`, default ~/.cache/zis-pulumi/releases/), since installing its pinned dependencies from the
package index is the slow part.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Release:
    """A published version: its tag, and the commit the tag names (used when a clone carries no tags)."""

    version: str
    commit: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


RELEASES = (Release("0.1.0", "fa371a4"),)
"""Every release whose stacks the current code must keep working; CHANGELOG.md lists what each changed."""


@dataclass(frozen=True)
class InstalledRelease:
    release: Release
    commit: str
    source: Path
    """The release's tree (its examples hold the programs users wrote against it)."""
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def cache_dir() -> Path:
    base = os.environ.get("ZIS_PULUMI_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zis-pulumi"
    )
    return Path(base) / "releases"


def _git(*argv: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *argv], check=True, capture_output=True, text=True).stdout.strip()


def resolve_commit(release: Release) -> str:
    """The full commit of the release: its tag if this clone has it, else the commit recorded above."""
    for ref in (f"{release.tag}^{{commit}}", f"{release.commit}^{{commit}}"):
        try:
            return _git("rev-parse", "--verify", "--quiet", ref)
        except subprocess.CalledProcessError:
            continue
    raise FileNotFoundError(
        f"neither tag {release.tag} nor commit {release.commit} is in this clone (a shallow clone?); "
        "`git fetch --unshallow --tags` brings them"
    )


def install(release: Release) -> InstalledRelease:
    """The release's source tree and a venv with it installed (non-editable, as users install it)."""
    commit = resolve_commit(release)
    home = cache_dir() / f"{release.version}-{commit[:12]}"
    source, venv = home / "src", home / "venv"
    done = home / ".complete"
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        with tempfile.TemporaryFile() as archive:
            subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit], check=True, stdout=archive)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(source, filter="data")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                str(source),
            ],
            check=True,
        )
        done.write_text(commit + "\n")
    return InstalledRelease(release=release, commit=commit, source=source, venv=venv)

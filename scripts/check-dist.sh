#!/usr/bin/env bash
# Builds the wheel and the sdist (`python -m build`) and installs each into a fresh virtualenv, as a user would:
#
#   wheel: into an environment that already has pulumi==$KEEP_PULUMI (another provider's choice), without extras:
#          that pulumi stays, the package and every provider module import, starlette and uvicorn are neither
#          installed nor imported, and `python -m zis_pulumi.emulator` says what to install (exit code 3);
#   sdist: with the `emulator` extra: the package imports, the emulator serves a request, `zis-emulator --help` runs.
#
# Both: the installed version is the one the package reports, and py.typed ships. Needs `build` in $PYTHON
# (the dev virtualenv has it). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
KEEP_PULUMI=${KEEP_PULUMI:-3.272.0}

work=$(mktemp -d "${TMPDIR:-/tmp}/zis-check-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { echo "check-dist: $*" >&2; }
die() { log "error: $*"; exit 1; }
pip() { "$1/bin/python" -m pip install --quiet --disable-pip-version-check "${@:2}"; }

log "building the wheel and the sdist"
"$PYTHON" -m build --outdir "$work/dist" . > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "python -m build failed"; }
wheel=$(ls "$work"/dist/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
log "built $(basename "$wheel") and $(basename "$sdist")"

# Only the package goes into the wheel (no tests, bench or scripts).
"$PYTHON" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
stray = [n for n in names if not (n.startswith("zis_pulumi/") or ".dist-info/" in n)]
assert not stray, f"the wheel holds files outside the package: {stray}"
assert "zis_pulumi/py.typed" in names, "the wheel lacks zis_pulumi/py.typed"
PY

# The checks run inside the installed environment, from a directory without the source tree.
cat > "$work/check_plain.py" <<'PY'
import importlib, pkgutil, sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

keep = sys.argv[1]
assert version("pulumi") == keep, f"installing zis-pulumi changed pulumi {keep} to {version('pulumi')}"
import zis_pulumi

assert "/site-packages/" in zis_pulumi.__file__, f"imported {zis_pulumi.__file__}, not the installed package"
assert version("zis-pulumi") == zis_pulumi.__version__, (version("zis-pulumi"), zis_pulumi.__version__)
assert (Path(zis_pulumi.__file__).parent / "py.typed").is_file()
for module in pkgutil.walk_packages(zis_pulumi.__path__, "zis_pulumi."):
    if module.name.endswith(".__main__"):
        continue  # a command: it runs when imported
    if module.name.startswith("zis_pulumi.emulator.") and module.name != "zis_pulumi.emulator._requirements":
        continue  # needs the emulator extra
    importlib.import_module(module.name)
for name in ("starlette", "uvicorn"):
    assert name not in sys.modules, f"importing the providers imported {name}"
    try:
        version(name)
    except PackageNotFoundError:
        continue
    raise AssertionError(f"{name} was installed without the emulator extra")
print(f"zis-pulumi {zis_pulumi.__version__} with pulumi {version('pulumi')}: providers import, no web server")
PY
cat > "$work/check_emulator.py" <<'PY'
import httpx
from zis_pulumi.emulator import EmulatorServer

with EmulatorServer() as server:
    response = httpx.get(server.base_url.rstrip("/") + "/_emulator/health")
    assert response.status_code == 200, response.status_code
print("the emulator served a request")
PY

log "wheel: fresh venv with pulumi==$KEEP_PULUMI, then the wheel without extras"
"${BASE_PYTHON:-python3}" -m venv "$work/venv-wheel"
pip "$work/venv-wheel" "pulumi==$KEEP_PULUMI"
pip "$work/venv-wheel" "$wheel"
(cd "$work" && venv-wheel/bin/python check_plain.py "$KEEP_PULUMI")
set +e
(cd "$work" && venv-wheel/bin/python -m zis_pulumi.emulator --help > emulator.out 2>&1)
code=$?
set -e
[ "$code" -eq 3 ] || { cat "$work/emulator.out" >&2; die "python -m zis_pulumi.emulator exited $code without the extra, not 3"; }
grep -q "zis-pulumi\[emulator\]" "$work/emulator.out" || { cat "$work/emulator.out" >&2; die "no install hint"; }
log "without the extra the emulator says: $(cat "$work/emulator.out")"

log "sdist: fresh venv, the sdist with the emulator extra"
"${BASE_PYTHON:-python3}" -m venv "$work/venv-sdist"
pip "$work/venv-sdist" "zis-pulumi[emulator] @ file://$sdist"
(cd "$work" && venv-sdist/bin/python -c 'import zis_pulumi, zis_pulumi.emulator; from importlib.metadata import version; assert version("zis-pulumi") == zis_pulumi.__version__')
(cd "$work" && venv-sdist/bin/python check_emulator.py)
"$work/venv-sdist/bin/zis-emulator" --help > /dev/null
log "ok: the wheel and the sdist install and import cleanly"

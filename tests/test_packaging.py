"""What `pip install zis-pulumi` (no extras) promises: the providers import without a web server, the emulator says
what to install, and no module leans on the package root (the import cycle `_http` once had through `__version__`).

The server packages are made unimportable in a child interpreter (`sys.modules[name] = None`), as if they had never
been installed. scripts/check-dist.sh checks the same on a real wheel in a fresh virtualenv.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import zis_pulumi
from zis_pulumi.emulator._requirements import EXIT_MISSING_DEPENDENCIES

PACKAGE = Path(zis_pulumi.__file__).parent
WITHOUT_SERVER = "import sys\nsys.modules['starlette'] = None\nsys.modules['uvicorn'] = None\n"


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_SERVER + code], capture_output=True, text=True, timeout=120)


def test_every_provider_module_imports_without_starlette_or_uvicorn() -> None:
    result = python(
        "import importlib, pkgutil, zis_pulumi\n"
        "for m in pkgutil.walk_packages(zis_pulumi.__path__, 'zis_pulumi.'):\n"
        "    if m.name.endswith('.__main__'):\n"
        "        continue  # a command: it runs when imported\n"
        "    if not m.name.startswith('zis_pulumi.emulator.') or m.name.endswith('._requirements'):\n"
        "        importlib.import_module(m.name)\n"
        "import zis_pulumi.emulator\n"
        "print('ok')\n"
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_the_emulator_command_says_what_to_install_and_exits_3() -> None:
    result = python("import runpy\nrunpy.run_module('zis_pulumi.emulator', run_name='__main__')\n")
    assert result.returncode == EXIT_MISSING_DEPENDENCIES == 3, result.stderr
    assert "pip install 'zis-pulumi[emulator]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_the_emulator_api_names_the_extra() -> None:
    result = python(
        "try:\n"
        "    from zis_pulumi.emulator import EmulatorServer\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "zis-pulumi[emulator]" in result.stdout


def is_submodule(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def test_no_module_imports_from_the_package_root() -> None:
    """`from . import _ownership` (a module) is fine; `from . import __version__` (a name of __init__) is a cycle."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for zis_pulumi/x.py, 1 for zis_pulumi/emulator/x.py
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            from_root = (node.level == depth + 1 and node.module is None) or (
                node.level == 0 and node.module == "zis_pulumi"
            )
            if from_root and not all(is_submodule(alias.name) for alias in node.names):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == [], f"these import names from zis_pulumi/__init__.py (an import cycle): {offenders}"

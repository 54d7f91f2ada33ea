#!/usr/bin/env bash
# Runs the unit tests (provider and client tests; no engine) with the oldest and the newest `pulumi` Python SDK
# that pyproject.toml accepts, each in its own virtualenv (.venv-sdk-oldest, .venv-sdk-newest, kept between runs),
# so the range the package declares is the range that is tested. The emulator's own tests (tests/emulator,
# tests/vendor_clients) import neither the SDK nor the providers, so `make test` runs them once and this skips them.
#
#   scripts/test-sdk-range.sh            both ends
#   scripts/test-sdk-range.sh oldest     one end (or: newest)
#
# The oldest is the lower bound of the `pulumi` requirement; the newest is whatever the package index serves
# below the upper bound. Extra arguments after `--` go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

ends=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do ends+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#ends[@]} -gt 0 ] || ends=(oldest newest)

spec=$(sed -n 's/^[[:space:]]*"\(pulumi[<>=~][^"]*\)".*/\1/p' pyproject.toml | head -n1)
oldest=$(printf '%s\n' "$spec" | sed -n 's/.*>=[[:space:]]*\([0-9][0-9.]*\).*/\1/p')
[ -n "$spec" ] && [ -n "$oldest" ] || { echo "test-sdk-range: no 'pulumi>=X,<Y' requirement in pyproject.toml" >&2; exit 1; }

for end in "${ends[@]}"; do
  case "$end" in
    oldest) requirement="pulumi==$oldest" ;;
    newest) requirement="$spec" ;;
    *) echo "test-sdk-range: unknown end '$end' (oldest or newest)" >&2; exit 2 ;;
  esac
  venv=".venv-sdk-$end"
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  # --upgrade: a venv kept from an earlier run moves to the newest SDK (and to the oldest if the bound moved).
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade -e ".[test]" "$requirement"
  have=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("pulumi"))')
  if [ "$end" = oldest ] && [ "$have" != "$oldest" ]; then
    echo "test-sdk-range: $venv has pulumi $have, not $oldest" >&2
    exit 1
  fi
  if [ "$end" = newest ] && [ -x .venv/bin/python ] \
     && [ "$(.venv/bin/python -c 'from importlib.metadata import version; print(version("pulumi"))')" = "$have" ]; then
    echo "test-sdk-range: .venv has pulumi $have too, so \`make test\` ran the unit tests with the newest SDK" >&2
    continue
  fi
  echo "test-sdk-range: unit tests with pulumi $have (the $end SDK of $spec)" >&2
  "$venv/bin/python" -m pytest -q -m "not engine" -p no:cacheprovider \
    --ignore=tests/reliability --ignore=tests/emulator --ignore=tests/vendor_clients "$@"
done

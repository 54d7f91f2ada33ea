#!/usr/bin/env bash
# Puts a Pulumi CLI able to run Python programs and dynamic providers in place, and prints the
# directory to add to PATH on its last stdout line (progress goes to stderr).
#
# Order of preference:
#   1. a `pulumi` already on PATH (at least the minimum version below) with a Python language host;
#   2. a build cached in ${ZIS_PULUMI_CACHE:-~/.cache/zis-pulumi}/pulumi-vX from an earlier run;
#   3. a fresh build of github.com/pulumi/pulumi/pkg/v3/cmd/pulumi from the Go module proxy, at the
#      version in scripts/pulumi-version (the engine's own setting: the package itself accepts a range of
#      `pulumi` SDKs, see pyproject.toml; 3.259.0 is the newest the module proxy here serves).
# The Python language host module (sdk/python/cmd/pulumi-language-python) is not served by the module
# proxy this project's machines reach, so the build adds zis_pulumi's own language host
# (scripts/pulumi-language-python/), compiled in the same Go module as the CLI; see README "The Pulumi CLI".
#
# Cache layout (everything offline once built):
#   pulumi-vX/cli/{pulumi,go.mod,go.sum}   the CLI and the Go module it was built in (built once per version)
#   pulumi-vX/host-H/bin/                  the bin dir printed: pulumi (hard link), pulumi-language-python,
#                                          pulumi-language-python-exec (from the sdk/v3 module),
#                                          pulumi-resource-pulumi-python (ours, scripts/pulumi-language-python/)
# H hashes scripts/pulumi-language-python/*, so editing the host rebuilds only the host (seconds).
# The bin dir is named `bin`, so the Automation API can use PulumiCommand(root=<bin dir>/..).
#
# Environment: PULUMI_VERSION (override scripts/pulumi-version), PULUMI_MIN_VERSION (for a pulumi on PATH, default 3.139.0),
# ZIS_PULUMI_CACHE, ZIS_PULUMI_FORCE_BUILD=1 (ignore a pulumi on PATH), ZIS_PULUMI_REBUILD=1 (ignore the cache).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hostsrc="$here/scripts/pulumi-language-python"
version=${PULUMI_VERSION:-$(sed -n 's/^[[:space:]]*v\{0,1\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$here/scripts/pulumi-version" 2>/dev/null | head -n1)}
version=${version#v}
[ -n "$version" ] || { echo "install-pulumi: cannot read the engine version from scripts/pulumi-version" >&2; exit 1; }
min_version=${PULUMI_MIN_VERSION:-3.139.0}
cache=${ZIS_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zis-pulumi}
dest="$cache/pulumi-v$version"
t0=$(date +%s)

log() { echo "install-pulumi: [$(( $(date +%s) - t0 ))s] $*" >&2; }
die() { log "error: $*"; exit 1; }

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum | cut -c1-64
  elif command -v shasum >/dev/null; then shasum -a 256 | cut -c1-64
  else "${PYTHON:-python3}" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
  fi
}

# 1. A pulumi the user already has.
if [ -z "${ZIS_PULUMI_FORCE_BUILD:-}" ] && existing=$(command -v pulumi 2>/dev/null); then
  have=$(PULUMI_SKIP_UPDATE_CHECK=true "$existing" version 2>/dev/null | sed 's/^v//' || true)
  bindir=$(cd "$(dirname "$existing")" && pwd)
  if [ -n "$have" ] && version_ge "$have" "$min_version" \
     && { [ -x "$bindir/pulumi-language-python" ] || command -v pulumi-language-python >/dev/null; }; then
    log "using pulumi $have from $existing"
    echo "$bindir"
    exit 0
  fi
  log "ignoring pulumi at $existing (version '${have:-unknown}', need >= $min_version and a Python language host)"
fi

[ -f "$hostsrc/main.go" ] || die "missing $hostsrc/main.go"
host_hash=$(cd "$hostsrc" && for f in $(LC_ALL=C ls -A); do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done | sha256 | cut -c1-12)
bin="$dest/host-$host_hash/bin"
cli="$dest/cli"

# 2. A cached build.
if [ -z "${ZIS_PULUMI_REBUILD:-}" ] && [ -f "$dest/host-$host_hash/.complete" ]; then
  touch "$dest/host-$host_hash" 2>/dev/null || true  # in use: see the pruning at the end
  log "using cached pulumi v$version from $bin"
  echo "$bin"
  exit 0
fi

# 3. Build what is missing: the CLI (minutes, once per version), then the language host (seconds).
command -v go >/dev/null || die "Go is needed to build the Pulumi CLI (https://go.dev/dl), or put pulumi on PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
mkdir -p "$dest"
work=$(mktemp -d "$dest/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'log "failed (line $LINENO)"' ERR
mod="$work/mod"
mkdir -p "$mod"
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' > "$mod/tools.go"
cp -R "$hostsrc" "$mod/pulumi-language-python"

if [ -n "${ZIS_PULUMI_REBUILD:-}" ] || [ ! -f "$cli/.complete" ]; then
  log "building pulumi v$version from the Go module proxy with $(go version | cut -d' ' -f3) (several minutes the first time)"
  cat > "$mod/go.mod" <<GOMOD
module zis-pulumi.local/pulumi-build

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
)
GOMOD
  log "downloading github.com/pulumi/pulumi/pkg/v3@v$version"
  pkgmod=$(go -C "$mod" mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [ -f "$pkgmod" ] || die "could not download github.com/pulumi/pulumi/pkg/v3@v$version from the module proxy"
  # Replace directives of pkg/v3's go.mod are ignored in a dependency: carry over the non-local ones
  # (github.com/atotto/clipboard at v3.259.0).
  while read -r old new; do
    [ -n "$old" ] || continue
    log "carrying over pkg/v3's replace $old => $new"
    go -C "$mod" mod edit -replace "$old=$new"
  done < <(go mod edit -json "$pkgmod" | "${PYTHON:-python3}" -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    new = r["New"]
    if new.get("Version"):  # a module, not a local path
        old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
        print(old, new["Path"] + "@" + new["Version"])
')
  log "resolving modules (go mod tidy)"
  go -C "$mod" mod tidy >&2
  log "compiling the CLI (CGO_ENABLED=0, -trimpath; the longest step)"
  mkdir -p "$work/cli"
  go -C "$mod" build -trimpath -ldflags "$ldflags" -o "$work/cli/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  built=$(PULUMI_SKIP_UPDATE_CHECK=true "$work/cli/pulumi" version)
  [ "$built" = "v$version" ] || die "the CLI built reports '$built', not v$version"
  cp "$mod/go.mod" "$mod/go.sum" "$work/cli/"
  touch "$work/cli/.complete"
  rm -rf "$cli"
  mv "$work/cli" "$cli"
  log "built the CLI into $cli"
else
  log "reusing the CLI built earlier in $cli; building only the language host"
  cp "$cli/go.mod" "$cli/go.sum" "$mod/"
fi

log "compiling the Python language host (scripts/pulumi-language-python, $host_hash)"
mkdir -p "$work/host/bin"
go -C "$mod" build -trimpath -ldflags "$ldflags" -o "$work/host/bin/pulumi-language-python" ./pulumi-language-python >&2
sdkdir=$(go -C "$mod" mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
[ -d "$sdkdir/python" ] || die "could not find the sdk/v3@v$version module's python/ directory"
# The SDK's program launcher (the module cache drops its run bit: install restores it), and our launcher of
# dynamic providers (the SDK's one resolves a relative virtualenv against `main:`, pulumi/pulumi#7061).
install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$work/host/bin/pulumi-language-python-exec"
install -m 0755 "$hostsrc/pulumi-resource-pulumi-python" "$work/host/bin/pulumi-resource-pulumi-python"
# A hard link, not a symlink: the CLI looks for its plugins next to the path it was started from.
ln "$cli/pulumi" "$work/host/bin/pulumi" 2>/dev/null || cp "$cli/pulumi" "$work/host/bin/pulumi"
touch "$work/host/.complete"

# Install atomically (rename of a complete directory). Bin dirs of other language hosts stay: checkouts of
# other branches may be using them right now; those unused for 14 days go.
final="$dest/host-$host_hash"
if [ -e "$final" ]; then rm -rf "$final.old"; mv "$final" "$final.old"; fi
mv "$work/host" "$final"
find "$dest" -mindepth 1 -maxdepth 1 -name 'host-*' ! -path "$final" -mtime +14 -exec rm -rf {} + 2>/dev/null || true
log "pulumi v$version ready in $bin (took $(( $(date +%s) - t0 ))s)"
echo "$bin"

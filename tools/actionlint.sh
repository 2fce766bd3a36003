#!/usr/bin/env bash
# Lints .github/workflows with actionlint, installing it first if it is missing.
#
#   bash tools/actionlint.sh [actionlint args...]     (npm run lint:workflows)
#
# actionlint is built from the Go module proxy (`go install`) into a cache directory outside the
# repository, one directory per version, so a second run only checks a version stamp:
#
#   ${ACTIONLINT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/delivery-tools/actionlint}/
#     v1.7.12/bin/actionlint      the binary
#     gomod/ gocache/             GOMODCACHE / GOCACHE for the build (read-only files: remove
#                                 with `go clean -modcache` or `chmod -R u+w` first)
#
# When shellcheck is on PATH (it is on GitHub's ubuntu runners), actionlint also checks every
# `run:` script with it; install it locally (`apt-get install shellcheck`) to see the same
# findings as CI. Set ACTIONLINT_REQUIRE_SHELLCHECK=1 to fail when it is missing.
set -euo pipefail

# Pinned: bump deliberately, newer releases add checks. `go list -m -versions
# github.com/rhysd/actionlint` lists what the proxy serves.
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ACTIONLINT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/delivery-tools/actionlint}"
BIN_DIR="$CACHE/$ACTIONLINT_VERSION/bin"
BIN="$BIN_DIR/actionlint"

installed_version() {
    # `actionlint -version` prints the version (v1.7.12) on its first line.
    if [ -x "$BIN" ]; then
        "$BIN" -version 2>/dev/null | head -n1 | tr -d '[:space:]'
    fi
}

install() {
    if ! command -v go >/dev/null 2>&1; then
        echo "actionlint.sh: actionlint $ACTIONLINT_VERSION is not installed and Go is not on PATH." >&2
        echo "  Install Go (https://go.dev/dl), or point ACTIONLINT_CACHE_DIR at a directory holding $ACTIONLINT_VERSION/bin/actionlint." >&2
        exit 127
    fi
    mkdir -p "$BIN_DIR" "$CACHE/gomod" "$CACHE/gocache"
    echo "actionlint.sh: installing actionlint $ACTIONLINT_VERSION into $BIN_DIR (one time)..." >&2
    local started=$SECONDS
    GOBIN="$BIN_DIR" GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache" GOFLAGS="-buildvcs=false" \
        GOTOOLCHAIN="${GOTOOLCHAIN:-local}" \
        go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    echo "actionlint.sh: installed in $((SECONDS - started))s" >&2
}

if [ "$(installed_version)" != "$ACTIONLINT_VERSION" ]; then
    mkdir -p "$CACHE"
    # Two runs at once (npm test and an editor, say) install once: the second waits, then finds it.
    exec 9>"$CACHE/.install.lock"
    flock 9 2>/dev/null || true
    if [ "$(installed_version)" != "$ACTIONLINT_VERSION" ]; then
        install
    fi
    exec 9>&-
fi

if ! command -v shellcheck >/dev/null 2>&1; then
    if [ "${ACTIONLINT_REQUIRE_SHELLCHECK:-0}" = "1" ]; then
        echo "actionlint.sh: shellcheck is not on PATH (ACTIONLINT_REQUIRE_SHELLCHECK=1); apt-get install shellcheck" >&2
        exit 1
    fi
    echo "actionlint.sh: note: shellcheck not found, run: scripts are not checked (CI runners have it)" >&2
fi

cd "$ROOT"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
    echo "actionlint.sh: no workflows under .github/workflows" >&2
    exit 1
fi
"$BIN" "$@" "${workflows[@]}"
echo "actionlint $ACTIONLINT_VERSION: ${#workflows[@]} workflows OK" >&2

# The scripts the workflows (and Pulumi Deployments) run, with the same shellcheck.
if command -v shellcheck >/dev/null 2>&1; then
    scripts=(.github/scripts/*.sh tools/actionlint.sh)
    shellcheck "${scripts[@]}"
    echo "shellcheck: ${#scripts[@]} scripts OK" >&2
fi

#!/usr/bin/env bash
# Decides whether this run may promote into STACK (staging or prod) and which release it asks for.
#
#   promotion-guard.sh STACK
#
# - a tag push must be exactly <STACK>-v<semver> (e.g. prod-v1.9.0) on a commit that is on main;
# - a manual dispatch must run from main and name a semver version (input VERSION);
# anything else fails before any credentials are requested. Prints version=<semver> to
# $GITHUB_OUTPUT. Needs the full history (actions/checkout with fetch-depth: 0).
set -euo pipefail

stack="${1:?usage: promotion-guard.sh <staging|prod>}"
SEMVER='[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?'
fail() {
    echo "::error title=Promotion to $stack refused::$*" >&2
    exit 1
}

case "${GITHUB_EVENT_NAME:?}" in
push)
    [ "${GITHUB_REF_TYPE:-}" = "tag" ] || fail "only tags named $stack-v<semver> promote to $stack"
    [[ "$GITHUB_REF_NAME" =~ ^$stack-v($SEMVER)$ ]] || fail "tag $GITHUB_REF_NAME is not $stack-v<semver> (e.g. $stack-v1.9.0); nothing was promoted"
    version="${BASH_REMATCH[1]}"
    main=origin/main # fetched by actions/checkout with fetch-depth: 0
    if ! git rev-parse --verify --quiet "$main" >/dev/null; then
        git fetch --quiet origin main
        main=FETCH_HEAD
    fi
    git merge-base --is-ancestor "$GITHUB_SHA" "$main" || fail "tag $GITHUB_REF_NAME points at a commit that is not on main"
    ;;
workflow_dispatch)
    [ "$GITHUB_REF" = "refs/heads/main" ] || fail "run it from main, not $GITHUB_REF: every stack deploys the code on main"
    version="${VERSION:-}"
    [[ "$version" =~ ^$SEMVER$ ]] || fail "version '$version' is not a semantic version like 1.9.0"
    ;;
*)
    fail "event $GITHUB_EVENT_NAME cannot promote"
    ;;
esac

echo "promoting release $version into $stack"
echo "version=$version" >>"${GITHUB_OUTPUT:-/dev/null}"

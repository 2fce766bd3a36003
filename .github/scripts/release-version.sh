#!/usr/bin/env bash
# The release dev runs for the checked-out commit: the nearest tag v<semver> reachable from HEAD
# (tag a commit on main `v1.9.0` to send 1.9.0 to dev). Without such a tag the version committed
# in Pulumi.dev.yaml (delivery:release.version) stands.
#
#   release-version.sh               print the version from the tag (nothing when there is none)
#   release-version.sh --set STACK   also set delivery:release.version on STACK (a development
#                                    stack, e.g. acme/delivery/dev) and print what it runs
#
# deploy-dev.yml, drift.yml, preview.yml and dev's Pulumi Deployments settings all call this, so
# every path that runs `pulumi up -s dev` deploys the same version.
set -euo pipefail

SEMVER='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'

if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
    # A shallow clone cannot see the nearest tag; fetch history and tags once.
    git fetch --quiet --unshallow --tags origin 2>/dev/null || git fetch --quiet --tags origin || true
fi

tag="$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null || true)"
version="${tag#v}"
if [ -n "$tag" ] && ! [[ "$version" =~ $SEMVER ]]; then
    echo "::error title=Bad release tag::$tag is not v<semver> (e.g. v1.9.0); delete it or tag the commit correctly" >&2
    exit 1
fi

if [ "${1:-}" = "--set" ]; then
    stack="${2:?usage: release-version.sh --set <org>/<project>/<stack>}"
    if [ -n "$version" ]; then
        pulumi config set --path --type string delivery:release.version "$version" --stack "$stack"
        echo "release $version (from tag $tag) set on $stack" >&2
    else
        version="$(pulumi config get --path delivery:release.version --stack "$stack")"
        echo "no v<semver> tag reachable from HEAD: $stack keeps $version from its stack file" >&2
    fi
fi

echo "$version"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "version=$version" >>"$GITHUB_OUTPUT"
fi

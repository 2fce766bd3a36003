#!/usr/bin/env bash
# Shows what a promotion moves: which release, from which stack, replacing which, and refuses
# promotions that cannot do what was asked.
#
#   promotion-diff.sh STACK SOURCE VERSION
#     STACK    the stack being promoted, e.g. acme/delivery/prod
#     SOURCE   the only stack name it may take releases from: dev for staging, staging for prod
#     VERSION  the release the operator asked for; must be what SOURCE runs
#
# Refuses when STACK is pinned (a pin holds it), when its delivery:promotion.from is not SOURCE,
# or when SOURCE runs another version. Writes a table to the job summary and the outputs
#   from, version, previous (version now running, empty on a first deploy), previous-release (JSON)
set -euo pipefail

stack="${1:?usage: promotion-diff.sh <org>/<project>/<stack> <source> <version>}"
source="${2:?source stack name}"
want="${3:?version}"
short="${stack##*/}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stderr}"
fail() {
    echo "::error title=Promotion to $short refused::$*" >&2
    exit 1
}
config() {
    pulumi config get --path "$1" --stack "$stack" 2>/dev/null || true
}

pin="$(config delivery:pin.version)"
if [ -n "$pin" ]; then
    fail "$short is pinned to $pin ($(config delivery:pin.reason)) in Pulumi.$short.yaml, so a promotion would not move it. Lift the pin in a pull request first (docs/runbooks/rollback.md)."
fi

from="$(config delivery:promotion.from)"
[ -n "$from" ] || fail "Pulumi.$short.yaml has no delivery:promotion.from; set it to <org>/delivery/$source"
[ "${from##*/}" = "$source" ] || fail "Pulumi.$short.yaml promotes from $from, but $short may only take releases from $source (dev → staging → prod)"

incoming="$(pulumi stack output release --json --stack "$from")"
version="$(jq -r '.version' <<<"$incoming")"
[ "$version" = "$want" ] || fail "$from runs $version, not $want: $short takes exactly what $source runs. Promote $version, or move $source to $want first."

current="$(pulumi stack output release --json --stack "$stack" 2>/dev/null || echo '{}')"
previous="$(jq -r '.version // ""' <<<"$current")"
pinned="$(pulumi stack output promotion --json --stack "$stack" 2>/dev/null | jq -r '.pinned // false' || echo false)"

row() {
    jq -r --arg name "$1" --arg stack "$2" '"| \($name) | `\($stack)` | \(.version // "—") | \(.imageTag // "—") | \(if (.imageDigest // "") == "" then "—" else .imageDigest end) | \(.chart // "—") \(.chartVersion // "") |"' <<<"$3"
}
{
    echo "## Promotion into \`$short\`: ${previous:-nothing} → $version"
    echo
    echo "| | Stack | Release | Image tag | Image digest | Chart |"
    echo "|---|---|---|---|---|---|"
    row "takes from" "$from" "$incoming"
    row "replaces" "$stack" "$current"
    echo
    if [ "$previous" = "$version" ]; then
        echo "The release does not change; the update applies code and configuration merged since the last deploy."
    fi
    if [ "$pinned" = "true" ]; then
        echo "**$short currently runs a pin that is no longer in Pulumi.$short.yaml: this promotion lifts it.**"
    fi
} >>"$summary"

{
    echo "from=$from"
    echo "version=$version"
    echo "previous=$previous"
    echo "previous-release=$(jq -c . <<<"$current")"
} >>"${GITHUB_OUTPUT:-/dev/null}"

#!/usr/bin/env bash
# Rolls STACK back to the release it ran before, by pinning it (the documented rollback:
# docs/runbooks/rollback.md), then deploys the pin.
#
#   rollback.sh STACK PREVIOUS_RELEASE_JSON REASON [pulumi up flags...]
#
# The pin is written to Pulumi.<stack>.yaml in this checkout only. Until a pull request commits
# it, the next `pulumi up` of the stack would take the upstream release again: the workflow
# uploads the file and prints the commands to commit.
set -euo pipefail

stack="${1:?usage: rollback.sh <org>/<project>/<stack> <previous-release-json> <reason> [flags]}"
previous="${2:?previous release JSON}"
reason="${3:?reason}"
shift 3
short="${stack##*/}"

version="$(jq -r '.version // ""' <<<"$previous")"
if [ -z "$version" ]; then
    echo "::error title=No rollback for $short::$short ran no release before this promotion; nothing to roll back to" >&2
    exit 1
fi
tag="$(jq -r '.imageTag // ""' <<<"$previous")"
digest="$(jq -r '.imageDigest // ""' <<<"$previous")"
chart_version="$(jq -r '.chartVersion // ""' <<<"$previous")"

set_pin() {
    pulumi config set --path --type string "delivery:pin.$1" "$2" --stack "$stack"
    echo "pulumi config set --path delivery:pin.$1 '$2' -s $stack" >>"${ROLLBACK_COMMANDS:-/dev/null}"
}
set_pin version "$version"
[ -z "$tag" ] || set_pin imageTag "$tag"
[ -z "$digest" ] || set_pin imageDigest "$digest"
[ -z "$chart_version" ] || set_pin chartVersion "$chart_version"
set_pin reason "$reason"

pulumi up --yes --stack "$stack" "$@"
echo "$short rolled back to $version (pinned: $reason)"

#!/usr/bin/env bash
# Checks that STACK runs VERSION and that the application answers through its ingress.
#
#   health-check.sh STACK VERSION
#
# The version comes from the stack's `release` output; the URL is
# https://<delivery:app.ingress.host><HEALTH_PATH> (HEALTH_PATH defaults to /ready, the chart's
# readiness probe) unless HEALTH_URL is set. Retries for about three minutes
# (HEALTH_RETRIES x 10 s) while pods roll.
set -euo pipefail

stack="${1:?usage: health-check.sh <org>/<project>/<stack> <version>}"
want="${2:?version}"
short="${stack##*/}"
fail() {
    echo "::error title=Health check of $short failed::$*" >&2
    exit 1
}

running="$(pulumi stack output release --json --stack "$stack" | jq -r '.version')"
[ "$running" = "$want" ] || fail "$short runs release $running, expected $want"

url="${HEALTH_URL:-}"
if [ -z "$url" ]; then
    host="$(pulumi config get --path delivery:app.ingress.host --stack "$stack" 2>/dev/null || true)"
    [ -n "$host" ] || fail "Pulumi.$short.yaml has no delivery:app.ingress.host; set HEALTH_URL for this stack"
    scheme=https
    if [ "$(pulumi config get --path delivery:app.ingress.tls --stack "$stack" 2>/dev/null || echo true)" = "false" ]; then
        scheme=http
    fi
    url="$scheme://$host${HEALTH_PATH:-/ready}"
fi

echo "waiting for $url"
if ! code="$(curl --silent --show-error --location --output /dev/null --write-out '%{http_code}' \
    --max-time 10 --retry "${HEALTH_RETRIES:-18}" --retry-delay 10 --retry-all-errors --fail "$url")"; then
    fail "$url did not answer with success after ${HEALTH_RETRIES:-18} tries (last status: ${code:-none})"
fi
echo "$short runs $running and $url answers $code"

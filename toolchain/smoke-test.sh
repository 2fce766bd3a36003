#!/usr/bin/env bash
# Smoke test of the offline Pulumi toolchain built by toolchain/build.sh.
#
#   toolchain/smoke-test.sh render    pulumi up of a one-ConfigMap Node.js program whose
#                                     kubernetes.Provider has renderYamlToDirectory (no cluster)
#   toolchain/smoke-test.sh cluster   the same program against toolchain/local-cluster.sh
#                                     (up, check with kubectl, destroy)
#   toolchain/smoke-test.sh [all]     both
#
# Uses a temporary PULUMI_HOME and a file:// backend; nothing is downloaded.
# The program uses the repository's node_modules (npm ci must have run).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
TOOLCHAIN_DIR="${PULUMI_TOOLCHAIN_DIR:-$HOME/.cache/delivery-toolchain}"
mode="${1:-all}"
case "$mode" in
render | cluster | all) ;;
*) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 2 ;;
esac

[ -d "$REPO/node_modules/@pulumi/kubernetes" ] || { echo "run npm ci in $REPO first" >&2; exit 1; }
[ -x "$TOOLCHAIN_DIR/bin/pulumi" ] || { echo "run toolchain/build.sh first" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/toolchain-smoke.XXXXXX")"
cleanup() { [ "${KEEP_SMOKE:-}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

export PULUMI_HOME="$WORK/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE=smoke
eval "$("$HERE/build.sh" env)"   # PATH, PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION; links the plugin
mkdir -p "$WORK/state" "$WORK/proj"
pulumi login "file://$WORK/state" >/dev/null

cd "$WORK/proj"
ln -s "$REPO/node_modules" node_modules
cat >Pulumi.yaml <<'EOF'
name: toolchain-smoke
runtime: nodejs
description: one ConfigMap, rendered to YAML or applied to a cluster
EOF
cat >package.json <<'EOF'
{ "name": "toolchain-smoke", "main": "index.ts" }
EOF
cat >index.ts <<'EOF'
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const renderDir = config.get("renderDir");
// renderYamlToDirectory: manifests are written to disk, no cluster is contacted.
// Otherwise the provider uses $KUBECONFIG.
const provider = new k8s.Provider("k8s", renderDir ? { renderYamlToDirectory: renderDir } : {});

const cm = new k8s.core.v1.ConfigMap("smoke", {
    metadata: { name: "smoke", namespace: "default" },
    data: { hello: "world" },
}, { provider });

export const name = cm.metadata.name;
EOF

t() { local s=$SECONDS; "$@"; echo "[smoke] '$*' took $((SECONDS - s))s" >&2; }

run_render() {
	pulumi stack init render >/dev/null
	pulumi config set renderDir "$WORK/rendered"
	t pulumi up --yes --non-interactive
	local f
	f="$(find "$WORK/rendered" -name '*.yaml' | head -n1)"
	[ -n "$f" ] || { echo "[smoke] FAIL: nothing rendered under $WORK/rendered" >&2; return 1; }
	grep -q 'hello: world' "$f" || { echo "[smoke] FAIL: unexpected manifest $f" >&2; cat "$f" >&2; return 1; }
	echo "[smoke] render OK: $f" >&2
	t pulumi destroy --yes --non-interactive
}

run_cluster() {
	local kc
	kc="$("$HERE/local-cluster.sh" start "$WORK/cluster")"
	trap '"$HERE/local-cluster.sh" stop "$WORK/cluster"; cleanup' EXIT
	export KUBECONFIG="$kc"
	pulumi stack init cluster >/dev/null
	t pulumi up --yes --non-interactive
	local v
	v="$(kubectl get configmap smoke -n default -o jsonpath='{.data.hello}')"
	[ "$v" = world ] || { echo "[smoke] FAIL: configmap data is '$v'" >&2; return 1; }
	echo "[smoke] cluster OK: kubectl sees configmap smoke with hello=$v" >&2
	t pulumi destroy --yes --non-interactive
	if kubectl get configmap smoke -n default >/dev/null 2>&1; then
		echo "[smoke] FAIL: configmap still there after destroy" >&2
		return 1
	fi
	echo "[smoke] cluster destroy OK" >&2
}

case "$mode" in
render) run_render ;;
cluster) run_cluster ;;
all) run_render; run_cluster ;;
esac
echo "[smoke] PASS ($mode)" >&2

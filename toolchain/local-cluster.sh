#!/usr/bin/env bash
# A throw-away Kubernetes control plane on loopback: etcd + kube-apiserver
# (+ kube-controller-manager, kube-scheduler and kwok when they were built), from
# toolchain/build.sh. With kwok, three fake Nodes (zones zone-a/b/c) run Pods:
# kube-scheduler binds them, kwok plays their lifecycle from the Stages in
# toolchain/kwok/stages.yaml (Ready, Jobs complete; an image whose tag ends in
# -broken runs but never becomes Ready; a Job pod labelled with a version ending
# in -fail exits 1). No container runtime: nothing executes.
# With the secrets pieces built: kumo (AWS Secrets Manager + STS), a Vault dev
# server (TLS, Kubernetes auth) and the External Secrets Operator's controller,
# run out of cluster against this API server. Their addresses are written to
# STATE_DIR/secrets.env; Vault's root token to STATE_DIR/vault-token (mode 600).
#
# Usage:
#   toolchain/local-cluster.sh start [STATE_DIR]  start; prints the kubeconfig path (last stdout line)
#   toolchain/local-cluster.sh stop  [STATE_DIR]  stop the processes it started and delete STATE_DIR
#   toolchain/local-cluster.sh status [STATE_DIR]
#   toolchain/local-cluster.sh run -- CMD [ARG...] start, run CMD with KUBECONFIG set, stop
#
# STATE_DIR defaults to a new mktemp directory for `start`, and to the last
# started one for `stop`/`status` (recorded in $PULUMI_TOOLCHAIN_DIR/local-cluster.current).
# Everything listens on 127.0.0.1 only, on free ports chosen at start.
set -euo pipefail

TOOLCHAIN_DIR="${PULUMI_TOOLCHAIN_DIR:-$HOME/.cache/delivery-toolchain}"
BIN="$TOOLCHAIN_DIR/bin"
CURRENT="$TOOLCHAIN_DIR/local-cluster.current"
SERVICE_CIDR=10.0.0.0/24

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

free_ports() { # N: N distinct free loopback ports, below the kernel's ephemeral range, so a
	# port the OS hands to some other process's bind(0) meanwhile cannot collide with ours.
	python3 - "$1" <<'PY'
import random, socket, sys
lo, _ = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
ports, held = [], []
while len(ports) < int(sys.argv[1]):
    p = random.randrange(20000, max(20001, min(lo, 32768)))
    if p in ports:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        s.close()
        continue
    held.append(s)
    ports.append(p)
print(" ".join(map(str, ports)))
PY
}

gen_certs() {
	local d="$1"
	(
		cd "$d"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout ca.key -out ca.crt -days 7 -subj "/CN=delivery-local-ca" 2>/dev/null
		# kube-apiserver serving certificate
		cat >apiserver.ext <<'EOF'
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EOF
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out apiserver.crt -days 7 -extfile apiserver.ext 2>/dev/null
		# client certificates: admin (system:masters) and kube-controller-manager
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		local who
		for who in "admin:/CN=admin/O=system:masters" "controller-manager:/CN=system:kube-controller-manager"; do
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout "${who%%:*}.key" -out "${who%%:*}.csr" -subj "${who#*:}" 2>/dev/null
			openssl x509 -req -in "${who%%:*}.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
				-out "${who%%:*}.crt" -days 7 -extfile client.ext 2>/dev/null
		done
		# service-account token signing key
		openssl genrsa -out sa.key 2048 2>/dev/null
		openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
		rm -f ./*.csr ./*.ext ./*.srl
		chmod 600 ./*.key
	)
}

write_kubeconfig() { # FILE SERVER CERT KEY CA
	local b64="base64 -w0"
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $2
    certificate-authority-data: $($b64 <"$5")
users:
- name: user
  user:
    client-certificate-data: $($b64 <"$3")
    client-key-data: $($b64 <"$4")
contexts:
- name: local
  context:
    cluster: local
    user: user
current-context: local
EOF
	chmod 600 "$1"
}

start_bg() { # NAME CMD... : start in its own session, record the pid
	local name="$1"; shift
	setsid "$@" >"$STATE/$name.log" 2>&1 </dev/null &
	echo $! >"$STATE/$name.pid"
}

wait_for() { # SECONDS DESCRIPTION CMD...
	local limit="$1" what="$2"; shift 2
	local deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.3
	done
	log "$what ready after $((SECONDS - START))s"
}

cmd_start() {
	local b
	for b in etcd kube-apiserver; do
		[ -x "$BIN/$b" ] || die "$BIN/$b missing: run toolchain/build.sh cluster"
	done
	command -v openssl >/dev/null || die "openssl is required"
	STATE="${1:-}"
	if [ -z "$STATE" ]; then STATE="$(mktemp -d "${TMPDIR:-/tmp}/delivery-cluster.XXXXXX")"; fi
	mkdir -p "$STATE"
	STATE="$(cd "$STATE" && pwd)"
	[ ! -f "$STATE/etcd.pid" ] || die "$STATE already has a cluster; stop it first"
	START=$SECONDS
	mkdir -p "$STATE/pki" "$TOOLCHAIN_DIR"
	gen_certs "$STATE/pki"
	local pki="$STATE/pki"

	local etcd_port peer_port api_port cm_port sched_port kwok_port kumo_port vault_port eso_port
	read -r etcd_port peer_port api_port cm_port sched_port kwok_port kumo_port vault_port eso_port <<<"$(free_ports 9)"

	start_bg etcd "$BIN/etcd" --name local --data-dir "$STATE/etcd" \
		--listen-client-urls "http://127.0.0.1:$etcd_port" \
		--advertise-client-urls "http://127.0.0.1:$etcd_port" \
		--listen-peer-urls "http://127.0.0.1:$peer_port" \
		--initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
		--initial-cluster "local=http://127.0.0.1:$peer_port" \
		--unsafe-no-fsync --log-level warn
	echo "$STATE" >"$CURRENT"
	wait_for 30 etcd curl -fsS "http://127.0.0.1:$etcd_port/health" ||
		{ tail -20 "$STATE/etcd.log" >&2; cmd_stop "$STATE"; die "etcd did not become healthy"; }

	start_bg kube-apiserver "$BIN/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$etcd_port" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
		--tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
		--client-ca-file "$pki/ca.crt" \
		--service-account-key-file "$pki/sa.pub" \
		--service-account-signing-key-file "$pki/sa.key" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--authorization-mode RBAC --allow-privileged=true \
		--endpoint-reconciler-type none --profiling=false
	local kubeconfig="$STATE/kubeconfig"
	write_kubeconfig "$kubeconfig" "https://127.0.0.1:$api_port" "$pki/admin.crt" "$pki/admin.key" "$pki/ca.crt"
	wait_for 90 kube-apiserver curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
		"https://127.0.0.1:$api_port/readyz" ||
		{ tail -30 "$STATE/kube-apiserver.log" >&2; cmd_stop "$STATE"; die "kube-apiserver did not become ready"; }

	if [ -x "$BIN/kube-controller-manager" ]; then
		write_kubeconfig "$STATE/controller-manager.kubeconfig" "https://127.0.0.1:$api_port" \
			"$pki/controller-manager.crt" "$pki/controller-manager.key" "$pki/ca.crt"
		# Namespace deletion, default ServiceAccounts, ReplicaSets from Deployments, garbage collection...
		start_bg kube-controller-manager "$BIN/kube-controller-manager" \
			--kubeconfig "$STATE/controller-manager.kubeconfig" \
			--bind-address 127.0.0.1 --secure-port "$cm_port" \
			--service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
			--use-service-account-credentials --leader-elect=false \
			--controllers '*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-route,-service,-persistentvolume-binder,-attachdetach' \
			--profiling=false
		wait_for 60 kube-controller-manager curl -fsSk "https://127.0.0.1:$cm_port/healthz" ||
			{ tail -30 "$STATE/kube-controller-manager.log" >&2; cmd_stop "$STATE"; die "kube-controller-manager did not start"; }
	fi
	# The local cluster stands in for every environment's cluster, production's too: its owners'
	# marker says so (an existing cluster must carry one for a production stack to use it).
	if [ -x "$BIN/kubectl" ]; then
		"$BIN/kubectl" --kubeconfig "$kubeconfig" -n kube-system create configmap delivery-cluster \
			--from-literal=environment=production >/dev/null
	fi
	if [ -x "$BIN/kube-scheduler" ] && [ -x "$BIN/kwok" ] && [ -f "$TOOLCHAIN_DIR/fixtures/kwok/stages-crd.yaml" ]; then
		start_nodes "$kubeconfig" "$sched_port" "$kwok_port" ||
			{ tail -30 "$STATE/kwok.log" "$STATE/kube-scheduler.log" >&2 || true; cmd_stop "$STATE"; die "the fake nodes did not start"; }
	fi
	start_secrets "$kubeconfig" "$kumo_port" "$vault_port" "$eso_port" ||
		{ tail -30 "$STATE"/kumo.log "$STATE"/vault.log "$STATE"/external-secrets.log >&2 2>/dev/null || true; cmd_stop "$STATE"; die "the secret stores or the External Secrets Operator did not start"; }
	log "state dir $STATE (logs: *.log); stop with: $0 stop $STATE"
	echo "$kubeconfig"
}

# kumo, Vault and the External Secrets Operator, each when built. The operator's CRDs are
# applied first (the controller watches them from its start).
start_secrets() { # KUBECONFIG KUMO_PORT VAULT_PORT ESO_METRICS_PORT
	local kc="$1" env="$STATE/secrets.env"
	: >"$env"
	if [ -x "$BIN/kumo" ]; then
		KUMO_HOST=127.0.0.1 KUMO_PORT="$2" KUMO_LOG_LEVEL=warn start_bg kumo "$BIN/kumo" serve
		wait_for 30 kumo curl -fsS -o /dev/null "http://127.0.0.1:$2/health" || return 1
		echo "KUMO_ENDPOINT=http://127.0.0.1:$2" >>"$env"
	fi
	if [ -x "$BIN/vault" ]; then
		local token
		token="$(openssl rand -hex 16)"
		(umask 077; printf '%s' "$token" >"$STATE/vault-token")
		mkdir -p "$STATE/vault-tls"
		VAULT_DEV_ROOT_TOKEN_ID="$token" start_bg vault "$BIN/vault" server -dev -dev-tls \
			-dev-tls-cert-dir "$STATE/vault-tls" -dev-listen-address "127.0.0.1:$3" -dev-no-store-token
		wait_for 60 vault curl -fsS -o /dev/null --cacert "$STATE/vault-tls/vault-ca.pem" "https://127.0.0.1:$3/v1/sys/health" || return 1
		{ echo "VAULT_ADDR=https://127.0.0.1:$3"; echo "VAULT_CACERT=$STATE/vault-tls/vault-ca.pem"; } >>"$env"
	fi
	if [ -x "$BIN/external-secrets" ] && [ -f "$TOOLCHAIN_DIR/fixtures/external-secrets/crds.yaml" ]; then
		# Server-side apply: these CRDs are larger than the client-side last-applied annotation allows.
		"$BIN/kubectl" --kubeconfig "$kc" apply --server-side --field-manager delivery-local \
			-f "$TOOLCHAIN_DIR/fixtures/external-secrets/crds.yaml" >/dev/null
		"$BIN/kubectl" --kubeconfig "$kc" wait --for condition=Established --timeout 60s \
			crd/secretstores.external-secrets.io crd/externalsecrets.external-secrets.io crd/clustersecretstores.external-secrets.io >/dev/null
		local kumo="http://127.0.0.1:$2"
		KUBECONFIG="$kc" AWS_SECRETSMANAGER_ENDPOINT="$kumo" AWS_STS_ENDPOINT="$kumo" AWS_EC2_METADATA_DISABLED=true \
			start_bg external-secrets "$BIN/external-secrets" --metrics-addr "127.0.0.1:$4" \
			--enable-leader-election=false --concurrent 2 --loglevel info --zap-time-encoding iso8601 \
			--enable-push-secret-reconciler=false --enable-cluster-push-secret-reconciler=false
		wait_for 60 external-secrets curl -fsS -o /dev/null "http://127.0.0.1:$4/metrics" || return 1
		echo "ESO_METRICS=http://127.0.0.1:$4/metrics" >>"$env"
	fi
}

# kube-scheduler + kwok and three fake Nodes, one per zone.
start_nodes() { # KUBECONFIG SCHED_PORT KWOK_PORT
	local kc="$1" here k
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	k() { "$BIN/kubectl" --kubeconfig "$kc" "$@" >/dev/null; }
	# No authn/authz kubeconfigs: the apiserver has no requestheader CA and the scheduler would log about it.
	start_bg kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$kc" --bind-address 127.0.0.1 \
		--secure-port "$2" --leader-elect=false --profiling=false
	k apply -f "$TOOLCHAIN_DIR/fixtures/kwok/stages-crd.yaml"
	k wait --for condition=Established crd/stages.kwok.x-k8s.io --timeout=30s
	k apply -f "$here/kwok/stages.yaml"
	# --cidr: kwok's default pod CIDR is the cluster's service CIDR.
	start_bg kwok "$BIN/kwok" --kubeconfig "$kc" --manage-all-nodes=false \
		--manage-nodes-with-label-selector=type=kwok --enable-crds=Stage --cidr=10.244.0.0/16 \
		--node-lease-duration-seconds=40 --server-address "127.0.0.1:$3"
	wait_for 60 kube-scheduler curl -fsSk "https://127.0.0.1:$2/healthz" || return 1
	k apply -f "$here/kwok/nodes.yaml"
	k wait --for condition=Ready node -l type=kwok --timeout=60s || return 1
	# Added by the TaintNodesByCondition admission plugin; only the (disabled) node-lifecycle controller removes it.
	k taint nodes -l type=kwok node.kubernetes.io/not-ready:NoSchedule-
	log "3 fake nodes ready (zones zone-a, zone-b, zone-c) after $((SECONDS - START))s"
}

cmd_stop() {
	local state="${1:-}"
	[ -n "$state" ] || state="$(cat "$CURRENT" 2>/dev/null || true)"
	[ -n "$state" ] && [ -d "$state" ] || { log "no cluster state dir to stop"; return 0; }
	local name pid
	for name in external-secrets vault kumo kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
		[ -f "$state/$name.pid" ] || continue
		pid="$(cat "$state/$name.pid")"
		if kill "$pid" 2>/dev/null; then
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$state/$name.pid"
	done
	if [ "${KEEP_CLUSTER_STATE:-}" = 1 ]; then
		log "stopped; state kept in $state"
	else
		rm -rf "$state"
		log "stopped and removed $state"
	fi
	if [ "$(cat "$CURRENT" 2>/dev/null || true)" = "$state" ]; then rm -f "$CURRENT"; fi
}

cmd_status() {
	local state="${1:-}"
	[ -n "$state" ] || state="$(cat "$CURRENT" 2>/dev/null || true)"
	[ -n "$state" ] && [ -d "$state" ] || { echo "no cluster"; return 1; }
	local name rc=0
	for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kumo vault external-secrets; do
		[ -f "$state/$name.pid" ] || continue
		if kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then echo "$name: running (pid $(cat "$state/$name.pid"))"
		else echo "$name: not running"; rc=1; fi
	done
	echo "KUBECONFIG=$state/kubeconfig"
	return $rc
}

cmd_run() {
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "usage: $0 run -- CMD [ARG...]"
	local kc rc=0
	kc="$(cmd_start)"
	RUN_STATE="$(dirname "$kc")"
	trap 'cmd_stop "$RUN_STATE"' EXIT
	KUBECONFIG="$kc" "$@" || rc=$?
	return $rc
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
status) shift; cmd_status "$@" ;;
run) shift; cmd_run "$@" ;;
*) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac

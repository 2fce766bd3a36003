#!/usr/bin/env bash
# A throw-away Kubernetes control plane on loopback: etcd + kube-apiserver
# (+ kube-controller-manager when it was built), from toolchain/build.sh.
# No kubelet, no scheduler, no container runtime: objects are stored and
# served, Pods never run (see BUILD-NOTES.md for what that means for Pulumi).
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

	local etcd_port peer_port api_port cm_port
	read -r etcd_port peer_port api_port cm_port <<<"$(free_ports 4)"

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
	log "state dir $STATE (logs: *.log); stop with: $0 stop $STATE"
	echo "$kubeconfig"
}

cmd_stop() {
	local state="${1:-}"
	[ -n "$state" ] || state="$(cat "$CURRENT" 2>/dev/null || true)"
	[ -n "$state" ] && [ -d "$state" ] || { log "no cluster state dir to stop"; return 0; }
	local name pid
	for name in kube-controller-manager kube-apiserver etcd; do
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
	for name in etcd kube-apiserver kube-controller-manager; do
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

#!/usr/bin/env bash
# Builds the Pulumi engine and a local Kubernetes control plane from the Go
# module proxy, into a cache directory outside the repository:
#
#   ${PULUMI_TOOLCHAIN_DIR:-$HOME/.cache/delivery-toolchain}/
#     bin/pulumi, bin/pulumi-language-nodejs,
#     bin/etcd, bin/kube-apiserver, bin/kubectl, bin/kube-controller-manager
#     plugins/resource-kubernetes-v<ver>/pulumi-resource-kubernetes
#     bin/helm, bin/kube-scheduler, bin/kwok, bin/external-secrets, bin/kumo, bin/vault
#     fixtures/kwok/stages-crd.yaml, fixtures/external-secrets/crds.yaml (the operator's CRDs)
#     gomod/ gocache/   (GOMODCACHE / GOCACHE used by these builds)
#     stamps/           (one file per piece: what was built; a match skips the build)
#
# Usage:
#   toolchain/build.sh [PIECE...]     build (or reuse) pieces; default: all
#   toolchain/build.sh list           list the pieces
#   eval "$(toolchain/build.sh env)"  print exports for running pulumi offline, and
#                                     link the provider plugin into $PULUMI_HOME
#   toolchain/build.sh link-plugins [PULUMI_HOME]
#   toolchain/build.sh prune          delete GOMODCACHE/GOCACHE/staging (GBs); the
#                                     binaries and stamps stay, so re-runs still skip
#
# Pieces: helm pulumi language-nodejs kubernetes-provider etcd kube kube-controller-manager kube-scheduler kwok
#         external-secrets kumo; optional (not in "all"): vault
#         ("pulumi-engine" = pulumi language-nodejs kubernetes-provider, "cluster" = etcd kube
#          kube-controller-manager kube-scheduler kwok, "secrets" = external-secrets kumo;
#          kube = kube-apiserver + kubectl; external-secrets = the External Secrets Operator's
#          controller v0.16.2 and its CRDs from the same module; kumo = an AWS Secrets Manager + STS
#          emulator; vault = HashiCorp Vault 1.21.4, which does not compile against the published
#          vault/sdk modules (see BUILD-NOTES.md); when it is built, the local platform runs it).
#         helm: the helm CLI, v3.18.6 as embedded in the provider; the offline plan and the unit
#         tests render charts with it (`npm run toolchain -- helm` alone takes about 2 min cold).
#
# Re-running is cheap: a piece whose binaries exist and whose stamp matches is
# skipped in well under a second. See toolchain/BUILD-NOTES.md for timings.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${PULUMI_TOOLCHAIN_DIR:-$HOME/.cache/delivery-toolchain}"
BIN="$DIR/bin"
PLUGINS="$DIR/plugins"
STAMPS="$DIR/stamps"
SRC="$DIR/src"

# --- pinned versions ------------------------------------------------------
PULUMI_VERSION=v3.248.0                 # = npm @pulumi/pulumi 3.248.0
# npm @pulumi/kubernetes 4.34.2 asks the engine for resource plugin
# kubernetes v4.34.2. The Go module proxy serves exactly one version of the
# provider module, the pseudo-version below (no tagged release), so that code
# is built and installed under the name the SDK asks for. See BUILD-NOTES.md.
K8S_PROVIDER_VERSION=4.34.2
K8S_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
ETCD_VERSION=v3.6.16                    # pinned in toolchain/etcd/go.mod
KUBE_VERSION=v1.35.4                    # pinned in toolchain/kubernetes/go.mod
# The External Secrets Operator (controller and CRDs), kumo and Vault: versions pinned in
# toolchain/{external-secrets,kumo,vault}/go.mod.

PARALLEL="${TOOLCHAIN_BUILD_P:-2}"

# --- Go environment -------------------------------------------------------
export GOMODCACHE="${TOOLCHAIN_GOMODCACHE:-$DIR/gomod}"
export GOCACHE="${TOOLCHAIN_GOCACHE:-$DIR/gocache}"
export GOFLAGS="-trimpath -mod=readonly -buildvcs=false"
export CGO_ENABLED=0
export GOTOOLCHAIN=local

log() { printf '[toolchain] %s\n' "$*" >&2; }

all_pieces=(helm pulumi language-nodejs kubernetes-provider etcd kube kube-controller-manager kube-scheduler kwok external-secrets kumo)

link_plugins() {
	local home="${1:-${PULUMI_HOME:-$HOME/.pulumi}}"
	local name="resource-kubernetes-v$K8S_PROVIDER_VERSION"
	local bin="$PLUGINS/$name/pulumi-resource-kubernetes"
	[ -x "$bin" ] || return 0
	mkdir -p "$home/plugins/$name"
	ln -sfn "$bin" "$home/plugins/$name/pulumi-resource-kubernetes"
	rm -f "$home/plugins/$name.partial" "$home/plugins/$name.lock"
}

print_env() {
	link_plugins "${PULUMI_HOME:-$HOME/.pulumi}"
	cat <<EOF
export PATH="$BIN:\$PATH"
export PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
EOF
}

# stamp_key PIECE DIR... : what determines a piece's output.
stamp_key() {
	local piece="$1"; shift
	{
		echo "piece=$piece"
		go env GOVERSION GOOS GOARCH
		echo "GOFLAGS=$GOFLAGS CGO_ENABLED=$CGO_ENABLED"
		echo "pulumi=$PULUMI_VERSION k8s-provider=$K8S_PROVIDER_VERSION etcd=$ETCD_VERSION kube=$KUBE_VERSION"
		declare -f "build_${piece//-/_}"
		case "$piece" in kube | kube-controller-manager | kube-scheduler) declare -f kube_build ;; esac
		local d
		for d in "$@"; do
			cat "$d"/go.mod "$d"/go.sum "$d"/*.go 2>/dev/null || true
		done
	} | sha256sum | cut -d' ' -f1
}

# up_to_date PIECE KEY OUTPUT...
up_to_date() {
	local piece="$1" key="$2"; shift 2
	[ -f "$STAMPS/$piece" ] && [ "$(cat "$STAMPS/$piece")" = "$key" ] || return 1
	local f
	for f in "$@"; do
		case "$f" in *.yaml) [ -s "$f" ] ;; *) [ -x "$f" ] ;; esac || return 1
	done
}

ldflags_pulumi="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

build_pulumi() {
	(cd "$HERE/pulumi" && go build -p "$PARALLEL" -ldflags "$ldflags_pulumi" \
		-o "$BIN/pulumi.new" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
	mv -f "$BIN/pulumi.new" "$BIN/pulumi"
}

build_language_nodejs() {
	(cd "$HERE/pulumi-language-nodejs" && go build -p "$PARALLEL" -ldflags "$ldflags_pulumi" \
		-o "$BIN/pulumi-language-nodejs.new" .)
	mv -f "$BIN/pulumi-language-nodejs.new" "$BIN/pulumi-language-nodejs"
}

build_kubernetes_provider() {
	local stage="$SRC/pulumi-resource-kubernetes"
	local out="$PLUGINS/resource-kubernetes-v$K8S_PROVIDER_VERSION"
	rm -rf "$stage"; mkdir -p "$stage" "$out"
	cp "$HERE/pulumi-resource-kubernetes"/{go.mod,go.sum,main.go} "$stage/"
	local moddir
	moddir="$(cd "$stage" && go mod download -json "$K8S_PROVIDER_MODULE" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
	[ -d "$moddir/cmd/pulumi-resource-kubernetes" ] || { log "provider module dir not found: '$moddir'"; return 1; }
	# What upstream's generate.go does: schema.json with "version" set, and
	# both files re-serialised compactly.
	node -e '
		const fs = require("fs");
		const [src, dir, version] = process.argv.slice(1);
		const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
		schema.version = version;
		fs.writeFileSync(dir + "/schema-embed.json", JSON.stringify(schema));
		const tf = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
		fs.writeFileSync(dir + "/terraform-mapping-embed.json", JSON.stringify(tf));
	' "$moddir/cmd/pulumi-resource-kubernetes" "$stage" "$K8S_PROVIDER_VERSION"
	(cd "$stage" && go build -p "$PARALLEL" \
		-ldflags "-s -w -X $K8S_PROVIDER_MODULE/pkg/version.Version=$K8S_PROVIDER_VERSION" \
		-o "$out/pulumi-resource-kubernetes.new" .)
	mv -f "$out/pulumi-resource-kubernetes.new" "$out/pulumi-resource-kubernetes"
}

build_etcd() {
	(cd "$HERE/etcd" && go build -p "$PARALLEL" -ldflags "-s -w" \
		-o "$BIN/etcd.new" go.etcd.io/etcd/server/v3)
	mv -f "$BIN/etcd.new" "$BIN/etcd"
}

kube_build() { # BINARY... : build k8s.io/kubernetes/cmd/BINARY into $BIN
	local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
	local ld="-s -w" p b pkgs=()
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ld+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
		ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	for b in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
	local tmp="$BIN/.kube.new.$1"
	rm -rf "$tmp"; mkdir -p "$tmp"
	(cd "$HERE/kubernetes" && go build -p "$PARALLEL" -ldflags "$ld" -o "$tmp/" "${pkgs[@]}")
	for b in "$@"; do mv -f "$tmp/$b" "$BIN/$b"; done
	rmdir "$tmp"
}

build_kube() { kube_build kube-apiserver kubectl; }

build_helm() {
	(cd "$HERE/helm" && go build -p "$PARALLEL" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v3.18.6" \
		-o "$BIN/helm.new" helm.sh/helm/v3/cmd/helm)
	mv -f "$BIN/helm.new" "$BIN/helm"
}

# The External Secrets Operator's controller (run out of cluster by local-cluster.sh) and the
# CRDs of the same version (go.sum pins the module's content).
build_external_secrets() {
	(cd "$HERE/external-secrets" && go build -p "$PARALLEL" -ldflags "-s -w" \
		-o "$BIN/external-secrets.new" github.com/external-secrets/external-secrets)
	mv -f "$BIN/external-secrets.new" "$BIN/external-secrets"
	local moddir out="$DIR/fixtures/external-secrets"
	moddir="$(cd "$HERE/external-secrets" && go list -m -f '{{.Dir}}' github.com/external-secrets/external-secrets)"
	mkdir -p "$out"
	cp "$moddir/deploy/crds/bundle.yaml" "$out/crds.yaml.new"
	chmod 0644 "$out/crds.yaml.new"
	mv -f "$out/crds.yaml.new" "$out/crds.yaml"
}

# kumo: AWS Secrets Manager and STS (AssumeRoleWithWebIdentity) on one loopback port.
build_kumo() {
	(cd "$HERE/kumo" && go build -p "$PARALLEL" -ldflags "-s -w" -o "$BIN/kumo.new" github.com/sivchari/kumo/cmd/kumo)
	mv -f "$BIN/kumo.new" "$BIN/kumo"
}

# HashiCorp Vault (the full server: the Kubernetes auth method is built in).
build_vault() {
	(cd "$HERE/vault" && go build -p "$PARALLEL" -ldflags "-s -w" -o "$BIN/vault.new" github.com/hashicorp/vault)
	mv -f "$BIN/vault.new" "$BIN/vault"
}

build_kube_controller_manager() { kube_build kube-controller-manager; }

build_kube_scheduler() { kube_build kube-scheduler; }

# kwok (fake kubelets playing Stages) and its Stage CRD, from the same module.
build_kwok() {
	(cd "$HERE/kwok" && go build -p "$PARALLEL" -ldflags "-s -w" -o "$BIN/kwok.new" sigs.k8s.io/kwok/cmd/kwok)
	mv -f "$BIN/kwok.new" "$BIN/kwok"
	local moddir
	moddir="$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
	mkdir -p "$DIR/fixtures/kwok"
	cp "$moddir/kustomize/crd/bases/kwok.x-k8s.io_stages.yaml" "$DIR/fixtures/kwok/stages-crd.yaml.new"
	chmod 0644 "$DIR/fixtures/kwok/stages-crd.yaml.new"
	mv -f "$DIR/fixtures/kwok/stages-crd.yaml.new" "$DIR/fixtures/kwok/stages-crd.yaml"
}

# piece -> wrapper dirs (for the stamp) and outputs
piece_dirs() {
	case "$1" in
	pulumi) echo "$HERE/pulumi" ;;
	language-nodejs) echo "$HERE/pulumi-language-nodejs" ;;
	kubernetes-provider) echo "$HERE/pulumi-resource-kubernetes" ;;
	etcd) echo "$HERE/etcd" ;;
	kube | kube-controller-manager | kube-scheduler) echo "$HERE/kubernetes" ;;
	kwok) echo "$HERE/kwok" ;;
	helm) echo "$HERE/helm" ;;
	external-secrets | kumo | vault) echo "$HERE/$1" ;;
	esac
}
piece_outputs() {
	case "$1" in
	pulumi) echo "$BIN/pulumi" ;;
	language-nodejs) echo "$BIN/pulumi-language-nodejs" ;;
	kubernetes-provider) echo "$PLUGINS/resource-kubernetes-v$K8S_PROVIDER_VERSION/pulumi-resource-kubernetes" ;;
	etcd) echo "$BIN/etcd" ;;
	kube) echo "$BIN/kube-apiserver $BIN/kubectl" ;;
	kube-controller-manager) echo "$BIN/kube-controller-manager" ;;
	kube-scheduler) echo "$BIN/kube-scheduler" ;;
	kwok) echo "$BIN/kwok $DIR/fixtures/kwok/stages-crd.yaml" ;;
	helm) echo "$BIN/helm" ;;
	external-secrets) echo "$BIN/external-secrets $DIR/fixtures/external-secrets/crds.yaml" ;;
	kumo | vault) echo "$BIN/$1" ;;
	esac
}

build_one() {
	local piece="$1" key outputs start
	# shellcheck disable=SC2046
	key="$(stamp_key "$piece" $(piece_dirs "$piece"))"
	read -r -a outputs <<<"$(piece_outputs "$piece")"
	if up_to_date "$piece" "$key" "${outputs[@]}"; then
		log "$piece: up to date"
		return 0
	fi
	log "$piece: building (log: $DIR/logs/$piece.log)"
	start=$SECONDS
	rm -f "$STAMPS/$piece"
	local timer=()
	# Peak memory of the largest process of the build goes to the piece's log.
	[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "[toolchain] $piece: %e s wall, %U s user, %S s sys, max RSS %M KB")
	if ! "${timer[@]}" bash -c "$(declare -p HERE DIR BIN PLUGINS STAMPS SRC PULUMI_VERSION \
		K8S_PROVIDER_VERSION K8S_PROVIDER_MODULE ETCD_VERSION KUBE_VERSION PARALLEL ldflags_pulumi)
		$(declare -f log kube_build "build_${piece//-/_}"); set -euo pipefail; build_${piece//-/_}" \
		>"$DIR/logs/$piece.log" 2>&1; then
		log "$piece: FAILED after $((SECONDS - start))s; last lines of $DIR/logs/$piece.log:"
		tail -n 30 "$DIR/logs/$piece.log" >&2
		return 1
	fi
	echo "$key" >"$STAMPS/$piece"
	log "$piece: built in $((SECONDS - start))s$(grep -o 'max RSS [0-9]* KB' "$DIR/logs/$piece.log" | tail -n1 | sed 's/^/, /')"
}

main() {
	local cmd="${1:-all}"
	case "$cmd" in
	list) printf '%s\n' "${all_pieces[@]}"; return 0 ;;
	env) print_env; return 0 ;;
	link-plugins) link_plugins "${2:-}"; return 0 ;;
	prune)
		# Module cache files are read-only; go clean knows how to remove them.
		[ ! -d "$GOMODCACHE" ] || go clean -modcache
		rm -rf "$GOCACHE" "$SRC" "$GOMODCACHE"
		log "pruned caches; kept $BIN, $PLUGINS, $STAMPS"
		return 0 ;;
	-h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; return 0 ;;
	esac

	command -v go >/dev/null || { log "go is not on PATH"; return 1; }
	local pieces=() a
	[ $# -gt 0 ] || set -- all
	for a in "$@"; do
		case "$a" in
		all) pieces+=("${all_pieces[@]}") ;;
		pulumi-engine) pieces+=(pulumi language-nodejs kubernetes-provider) ;;
		cluster) pieces+=(etcd kube kube-controller-manager kube-scheduler kwok) ;;
		secrets) pieces+=(external-secrets kumo) ;;
		pulumi | language-nodejs | kubernetes-provider | etcd | kube | kube-controller-manager | kube-scheduler | kwok | \
			external-secrets | kumo | vault | helm) pieces+=("$a") ;;
		*) log "unknown piece: $a (try: $0 list)"; return 2 ;;
		esac
	done

	mkdir -p "$BIN" "$PLUGINS" "$STAMPS" "$SRC" "$DIR/logs" "$GOMODCACHE" "$GOCACHE"
	exec 9>"$DIR/.build.lock"
	flock 9

	local p done_pieces=" "
	for p in "${pieces[@]}"; do
		case "$done_pieces" in *" $p "*) continue ;; esac
		done_pieces+="$p "
		build_one "$p"
	done
	case "$done_pieces" in *" kubernetes-provider "*) link_plugins ;; esac
	log "done: binaries in $BIN, provider plugin in $PLUGINS"
}

main "$@"

/**
 * Renders a chart client-side with Helm's own engine (`helm template`), the way `helm.v4.Chart`
 * renders it in the Kubernetes provider: same release name, namespace, chart, version and values;
 * hooks left out (the Chart resource skips them), CRDs included. Under Pulumi's mock runtime the
 * Chart component registers no children, so the offline evaluation adds these objects as its
 * children, and the policy pack judges what the cluster would really receive.
 *
 * Needs the `helm` binary: `npm run toolchain -- helm` builds it (about 2 min cold) into the
 * toolchain directory; `DELIVERY_HELM` or `helm` on PATH work too.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { directoryDigest } from "../../components/promotion/digest";
import { HELM_YAML } from "../../config/helm-yaml";

export { HELM_CHART_V4 } from "../../policy/lib/types";

export class RenderError extends Error {
    /**
     * `chart`: the chart does not render with these values, or renders what the provider refuses
     * (the stack's chart or values must change); `tool`: helm is missing.
     */
    constructor(message: string, readonly origin: "chart" | "tool" = "chart") {
        super(message);
        this.name = "RenderError";
    }
}

export function toolchainDir(): string {
    return process.env.PULUMI_TOOLCHAIN_DIR ?? path.join(os.homedir(), ".cache", "delivery-toolchain");
}

/** The helm binary: `DELIVERY_HELM`, the toolchain's, or one on PATH. */
export function helmBinary(): string | undefined {
    const candidates = [process.env.DELIVERY_HELM, path.join(toolchainDir(), "bin", "helm")];
    for (const c of candidates) {
        if (c && fs.existsSync(c)) {
            return c;
        }
    }
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const c = path.join(dir, "helm");
        if (dir && fs.existsSync(c)) {
            return c;
        }
    }
    return undefined;
}

export interface ChartInputs {
    /** Release name (`.Release.Name`). */
    readonly name: string;
    readonly namespace: string;
    /** `./charts/app`, a repository chart name, or `oci://…`. */
    readonly chart: string;
    readonly version?: string;
    /** `caFile` is a path, or the FileAsset the program passes to the provider. */
    readonly repositoryOpts?: { readonly repo?: string; readonly caFile?: string | { readonly path?: unknown } };
    readonly values?: Record<string, unknown>;
    readonly skipCrds?: boolean;
    /** The cluster's Kubernetes version (`.Capabilities.KubeVersion`), e.g. "1.31". */
    readonly kubeVersion?: string;
    /**
     * API versions the cluster serves beyond Kubernetes' own (`.Capabilities.APIVersions`), as
     * `group/version` and `group/version/Kind`: the provider asks the cluster; offline, the kinds
     * the stack itself registers (its operators' custom resources) stand for them.
     */
    readonly apiVersions?: readonly string[];
}

export interface RenderedObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; [k: string]: unknown };
    readonly [k: string]: unknown;
}

/**
 * Built-in kinds without a namespace (Kubernetes 1.27-1.33, `kubectl api-resources --namespaced=false`),
 * and the cluster-scoped kinds of the operators the program installs: the provider leaves these
 * alone and gives every other kind the release's namespace. A kind a CustomResourceDefinition of
 * the same render defines is scoped as that definition says (see `scopeOf`), as the provider does.
 */
const CLUSTER_SCOPED = new Set([
    "Namespace", "Node", "PersistentVolume", "ComponentStatus", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "APIService", "StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass", "PriorityClass", "RuntimeClass",
    "IngressClass", "IPAddress", "ServiceCIDR", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest", "ClusterTrustBundle", "FlowSchema", "PriorityLevelConfiguration", "TokenReview", "SubjectAccessReview",
    "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectReview", "StorageVersion", "StorageVersionMigration",
    "DeviceClass", "ResourceSlice", "PodSecurityPolicy",
    "ClusterSecretStore", "ClusterExternalSecret", "ClusterIssuer", "ClusterGenerator", "ClusterPushSecret",
]);

export function isClusterScoped(kind: string): boolean {
    return CLUSTER_SCOPED.has(kind);
}

/** `acme.example` of `acme.example/v1`; "" for the core group. */
function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/**
 * Whether objects of this kind are namespaced: a CustomResourceDefinition among the rendered
 * objects decides for its kind (its spec.scope), then the built-in list.
 */
export function scopeOf(o: { apiVersion: string; kind: string }, objects: readonly RenderedObject[]): "Namespaced" | "Cluster" {
    const group = groupOf(o.apiVersion);
    const crd = objects.find((c) => c.kind === "CustomResourceDefinition" && groupOf(c.apiVersion) === "apiextensions.k8s.io" &&
        (c.spec as { group?: unknown; names?: { kind?: unknown } } | undefined)?.group === group &&
        (c.spec as { names?: { kind?: unknown } }).names?.kind === o.kind);
    if (crd) {
        return (crd.spec as { scope?: unknown }).scope === "Namespaced" ? "Namespaced" : "Cluster";
    }
    return isClusterScoped(o.kind) ? "Cluster" : "Namespaced";
}

/** `kubernetes:apps/v1:Deployment` from `apps/v1` and `Deployment` (core kinds are `core/v1`). */
export function typeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** The name `helm.v4.Chart` gives a rendered object: `<prefix>:<namespace>/<name>` (or `<prefix>:<name>`). */
export function childName(prefix: string, o: RenderedObject): string {
    const ns = o.metadata.namespace;
    return `${prefix}:${ns ? `${ns}/` : ""}${o.metadata.name}`;
}

const cache = new Map<string, RenderedObject[]>();

function helmMessage(e: unknown): string {
    const err = e as { stderr?: Buffer | string; message?: string };
    const text = (err.stderr ? err.stderr.toString() : err.message ?? String(e)).trim();
    // Helm's errors are one or a few lines; keep them, without a Go stack, usage text or advice
    // for helm's own command line (`--debug` is not an option here).
    return text.split("\n").filter((l) => l.trim() !== "" && !/^\s+at /.test(l) && !/^Use --debug flag/.test(l)).slice(0, 12).join("\n");
}

/** `--repo` and `--ca-file` of a repository chart (the caFile a path, or the FileAsset the program passes). */
function sourceArgs(input: ChartInputs, root: string): string[] {
    const ca = input.repositoryOpts?.caFile;
    const caPath = typeof ca === "string" ? ca : typeof ca?.path === "string" ? ca.path : undefined;
    return [...(input.repositoryOpts?.repo ? ["--repo", input.repositoryOpts.repo] : []), ...(caPath ? ["--ca-file", path.resolve(root, caPath)] : [])];
}

/** Helm's environment: the shared chart cache, per-run config and data. */
function helmEnv(config: string, data: string): NodeJS.ProcessEnv {
    return { ...process.env, HELM_CACHE_HOME: path.join(toolchainDir(), "helm", "cache"), HELM_CONFIG_HOME: config, HELM_DATA_HOME: data };
}

const pulled = new Map<string, string>();

/**
 * Pulls a repository or OCI chart (as `helm.v4.Chart` does) into a directory kept for this
 * process, and returns the chart's directory: its values.schema.json is then checked in the
 * program's own format before rendering.
 */
export function pullChart(input: ChartInputs, root: string): string {
    const helm = helmBinary();
    if (!helm) {
        throw new RenderError("pulling the chart needs the helm binary, and none was found: run `npm run toolchain -- helm`, or set DELIVERY_HELM", "tool");
    }
    const key = JSON.stringify([input.chart, input.version, input.repositoryOpts?.repo, input.repositoryOpts?.caFile]);
    const hit = pulled.get(key);
    if (hit && fs.existsSync(hit)) {
        return hit;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-pull-"));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const args = ["pull", input.chart, "--untar", "--untardir", dir, ...(input.version ? ["--version", input.version] : []), ...sourceArgs(input, root)];
    const env = helmEnv(path.join(dir, ".config"), path.join(dir, ".data"));
    try {
        execFileSync(helm, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        throw new RenderError(`helm could not render chart ${input.chart}${input.version ? ` ${input.version}` : ""}: ${helmMessage(e)}`);
    }
    const chartDir = fs.readdirSync(dir).map((d) => path.join(dir, d)).find((d) => !path.basename(d).startsWith(".") && fs.existsSync(path.join(d, "Chart.yaml")));
    if (!chartDir) {
        throw new RenderError(`helm pulled chart ${input.chart} but left no chart directory`);
    }
    pulled.set(key, chartDir);
    return chartDir;
}

/** Renders the chart; `root` is the directory relative chart paths are resolved against. */
export function renderChart(input: ChartInputs, root: string): RenderedObject[] {
    const helm = helmBinary();
    if (!helm) {
        throw new RenderError(
            "rendering the chart needs the helm binary, and none was found: run `npm run toolchain -- helm` (about 2 minutes the first time), " +
            "or set DELIVERY_HELM to a helm 3 binary", "tool");
    }
    const local = /^(\.{1,2}\/|\/)/.test(input.chart);
    const chartPath = local ? path.resolve(root, input.chart) : input.chart;
    const key = crypto.createHash("sha256").update(JSON.stringify({ ...input, chartPath, dir: local && fs.existsSync(chartPath) ? directoryDigest(chartPath) : "" })).digest("hex");
    const hit = cache.get(key);
    if (hit) {
        return hit;
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-render-"));
    try {
        const valuesFile = path.join(tmp, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(input.values ?? {}));
        const args = ["template", input.name, chartPath, "--namespace", input.namespace, "--values", valuesFile, "--no-hooks"];
        if (input.kubeVersion) {
            args.push("--kube-version", /^\d+\.\d+$/.test(input.kubeVersion) ? `${input.kubeVersion}.0` : input.kubeVersion);
        }
        for (const v of input.apiVersions ?? []) {
            args.push("--api-versions", v);
        }
        if (!input.skipCrds) {
            args.push("--include-crds");
        }
        if (input.version && !local) {
            args.push("--version", input.version);
        }
        args.push(...sourceArgs(input, root));
        const env = helmEnv(path.join(tmp, "config"), path.join(tmp, "data"));
        let out: string;
        try {
            out = execFileSync(helm, args, { env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }).toString();
        } catch (e) {
            throw new RenderError(`helm could not render chart ${input.chart}${input.version ? ` ${input.version}` : ""}: ${helmMessage(e)}`);
        }
        const placed = placeObjects(parseManifests(out, input), input);
        cache.set(key, placed);
        return placed;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** The document's source template (`# Source: app/templates/x.yaml`, Helm's comment), for messages. */
function sourceOf(text: string | null | undefined): string {
    const m = /Source: (\S+)/.exec(text ?? "");
    return m ? m[1] : "a template";
}

function chartLabel(input: ChartInputs): string {
    return `chart ${input.chart}${input.version ? ` ${input.version}` : ""}`;
}

/**
 * The objects of Helm's manifest as the provider registers them: read as its YAML decoder reads
 * them (config/helm-yaml: `privileged: yes` is true), empty documents dropped, every
 * list (any object with an `items` array: `List`, `ConfigMapList`…, nested too) expanded into its
 * items, and the provider's refusals — an object without kind, apiVersion or metadata.name —
 * reported as the update would fail, naming the template.
 */
export function parseManifests(out: string, input: ChartInputs): RenderedObject[] {
    const objects: RenderedObject[] = [];
    const take = (o: unknown, source: string): void => {
        if (o === null || o === undefined || (typeof o === "object" && !Array.isArray(o) && Object.keys(o).length === 0)) {
            return;
        }
        if (typeof o !== "object" || Array.isArray(o)) {
            throw new RenderError(`${chartLabel(input)} renders a document that is not a Kubernetes object in ${source}`);
        }
        const obj = o as { kind?: unknown; apiVersion?: unknown; metadata?: { name?: unknown }; items?: unknown };
        if (Array.isArray(obj.items)) {
            obj.items.forEach((item) => take(item, source));
            return;
        }
        if (typeof obj.kind !== "string" || obj.kind === "" || typeof obj.apiVersion !== "string" || obj.apiVersion === "") {
            throw new RenderError(`${chartLabel(input)} renders an object without kind and apiVersion in ${source}; Kubernetes resources require both`);
        }
        if (typeof obj.metadata?.name !== "string" || obj.metadata.name === "") {
            throw new RenderError(`${chartLabel(input)} renders ${obj.kind} without metadata.name in ${source}; Kubernetes resources require a name`);
        }
        objects.push(obj as RenderedObject);
    };
    for (const doc of parseAllDocuments(out, HELM_YAML)) {
        const source = sourceOf(doc.commentBefore ?? doc.contents?.commentBefore);
        const problem = doc.errors[0];
        if (problem) {
            throw new RenderError(`${chartLabel(input)} renders YAML that does not parse in ${source}: ${problem.message.split("\n")[0]}`);
        }
        take(doc.toJS(), source);
    }
    return objects;
}

/**
 * The provider's namespacing and names: every namespaced object without a namespace gets the
 * release's; two objects the provider would register under one name (same type, namespace and
 * name) fail the update, so they are refused here too.
 */
export function placeObjects(objects: readonly RenderedObject[], input: ChartInputs): RenderedObject[] {
    const placed = objects.map((o) => {
        const apiVersion = o.apiVersion.startsWith("core/") ? o.apiVersion.slice("core/".length) : o.apiVersion;
        const metadata = { ...o.metadata };
        if (scopeOf(o, objects) === "Namespaced" && !metadata.namespace) {
            metadata.namespace = input.namespace;
        }
        return { ...o, apiVersion, metadata } as RenderedObject;
    });
    const seen = new Set<string>();
    for (const o of placed) {
        const id = `${typeToken(o.apiVersion, o.kind)} ${childName("", o).slice(1)}`;
        if (seen.has(id)) {
            throw new RenderError(`${chartLabel(input)} renders ${o.kind} ${childName("", o).slice(1)} twice; the provider registers one resource per type, namespace and name, so the update would fail`);
        }
        seen.add(id);
    }
    return placed;
}

/** Kubernetes' own API groups: helm knows them from the Kubernetes version. */
const BUILT_IN_GROUP = /^(|apps|batch|policy|autoscaling|[a-z0-9.-]+\.k8s\.io)$/;

/**
 * `.Capabilities.APIVersions` entries for the kinds a stack registers outside Kubernetes' own
 * groups (`external-secrets.io/v1`, `external-secrets.io/v1/SecretStore`…): a cluster that
 * receives these objects serves their APIs, so a chart's `APIVersions.Has` sees them on the engine.
 */
export function servedApiVersions(types: readonly string[]): string[] {
    const out = new Set<string>();
    for (const t of types) {
        const m = /^kubernetes:([^:/]+)\/([^:/]+):([A-Za-z0-9]+)$/.exec(t);
        if (!m || m[1] === "core" || BUILT_IN_GROUP.test(m[1]) || m[1].startsWith("helm.sh") || m[1] === "yaml") {
            continue;
        }
        out.add(`${m[1]}/${m[2]}`);
        out.add(`${m[1]}/${m[2]}/${m[3]}`);
    }
    return [...out].sort();
}

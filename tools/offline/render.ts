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

export { HELM_CHART_V4 } from "../../policy/lib/types";

export class RenderError extends Error {
    constructor(message: string) {
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
}

export interface RenderedObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; [k: string]: unknown };
    readonly [k: string]: unknown;
}

/** Kinds without a namespace: the provider leaves these alone, every other kind gets the release's namespace. */
const CLUSTER_SCOPED = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass",
    "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "APIService", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment",
    "ClusterSecretStore", "ClusterExternalSecret", "ClusterIssuer", "PodSecurityPolicy", "ClusterGenerator", "FlowSchema",
    "PriorityLevelConfiguration", "ClusterPushSecret",
]);

export function isClusterScoped(kind: string): boolean {
    return CLUSTER_SCOPED.has(kind);
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
    // Helm's errors are one or a few lines; keep them, without a Go stack or usage text.
    return text.split("\n").filter((l) => l.trim() !== "" && !/^\s+at /.test(l)).slice(0, 12).join("\n");
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
        throw new RenderError("pulling the chart needs the helm binary, and none was found: run `npm run toolchain -- helm`, or set DELIVERY_HELM");
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
            "or set DELIVERY_HELM to a helm 3 binary");
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
        const objects: RenderedObject[] = [];
        for (const doc of parseAllDocuments(out)) {
            const o = doc.toJS() as RenderedObject | null;
            if (!o || typeof o !== "object" || !o.kind || !o.apiVersion) {
                continue;
            }
            if (o.kind === "List" && Array.isArray((o as { items?: unknown }).items)) {
                objects.push(...((o as unknown as { items: RenderedObject[] }).items));
                continue;
            }
            objects.push(o);
        }
        const placed = objects.map((o) => {
            const metadata = { ...(o.metadata ?? { name: "" }) };
            if (!isClusterScoped(o.kind) && !metadata.namespace) {
                metadata.namespace = input.namespace;
            }
            return { ...o, metadata } as RenderedObject;
        });
        cache.set(key, placed);
        return placed;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * Pod specs of raw Kubernetes workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController, Job, CronJob, Pod — any API version — and custom kinds that carry a pod
 * template, such as Argo Rollouts) and what a Helm release's values expose, so the workload
 * policies read both the same way.
 */
import { findKeys, Found, list, peek, read, stringMap } from "./props";
import { isCronJob, isCustomResource, POD } from "./types";

export interface ContainerView {
    /** `container app`, `init container migrate`. */
    readonly label: string;
    readonly init: boolean;
    /** The container spec (unknown-checking proxy). */
    readonly spec: any;
}

/** `Deployment storefront` from `kubernetes:apps/v1:Deployment`. */
export function describeWorkload(type: string, name: string): string {
    return `${type.split(":").pop()} ${name}`;
}

/** The pod spec inside a workload (undefined when the resource carries none). */
export function podSpecOf(type: string, p: any): any {
    if (type === POD) {
        return read(p, "spec");
    }
    if (isCronJob(type)) {
        return read(p, "spec", "jobTemplate", "spec", "template", "spec");
    }
    if (isCustomResource(type)) {
        // A custom kind is a workload only when it carries a pod template with containers.
        const spec = read(p, "spec", "template", "spec");
        return Array.isArray(peek(spec, "containers")) ? spec : undefined;
    }
    return read(p, "spec", "template", "spec");
}

/** Labels of the pods a workload creates. */
export function podLabelsOf(type: string, p: any): Record<string, string> {
    if (type === POD) {
        return stringMap(p, "metadata", "labels");
    }
    if (isCronJob(type)) {
        return stringMap(p, "spec", "jobTemplate", "spec", "template", "metadata", "labels");
    }
    return stringMap(p, "spec", "template", "metadata", "labels");
}

export function containersOf(podSpec: any): ContainerView[] {
    const named = (c: any, kind: string) => `${kind} ${String(peek(c, "name") ?? "?")}`;
    return [
        ...list(podSpec, "initContainers").map((c) => ({ label: named(c, "init container"), init: true, spec: c })),
        ...list(podSpec, "containers").map((c) => ({ label: named(c, "container"), init: false, spec: c })),
    ];
}

export function namespaceOf(p: any): string | undefined {
    const ns = peek(p, "metadata", "namespace");
    return typeof ns === "string" ? ns : undefined;
}

// Helm ------------------------------------------------------------------------------------------

/**
 * Charts of cluster add-ons rather than applications: app-level production rules (replicas,
 * disruption budget, zone spread, probes, resources) skip them; security rules do not.
 */
export const DEFAULT_PLATFORM_CHARTS: readonly string[] = [
    "external-secrets", "sealed-secrets", "ingress-nginx", "cert-manager", "external-dns", "cluster-autoscaler",
    "aws-load-balancer-controller", "metrics-server", "kube-prometheus-stack",
];

/** The chart as given: `./charts/app`, `external-secrets`, `oci://ghcr.io/acme/charts/app`. */
export function chartRef(p: any): string {
    const chart = peek(p, "chart");
    return typeof chart === "string" ? chart : "";
}

/** The chart's name: last path segment, without a `repo/` prefix or `:version` suffix. */
export function chartName(p: any): string {
    return chartRef(p).replace(/\/+$/, "").split("/").pop()!.replace(/:.*$/, "");
}

/** A chart from this repository's disk: its Chart.yaml (in review) pins the version. */
export function isLocalChart(p: any): boolean {
    return /^(\.{1,2}\/|\/)/.test(chartRef(p));
}

export function isPlatformRelease(p: any, platformCharts: readonly string[]): boolean {
    return platformCharts.includes(chartName(p));
}

/** `Helm release storefront-helm (chart ./charts/app)`. */
export function describeRelease(name: string, p: any): string {
    const chart = chartRef(p);
    return `Helm release ${name}${chart ? ` (chart ${chart})` : ""}`;
}

/** The release's values (through the proxy); {} when it sets none. */
export function valuesOf(p: any): any {
    return read(p, "values") ?? {};
}

/** Keys anywhere in the release's values, paths prefixed `values.`. */
export function findInValues(p: any, match: (key: string, value: unknown) => boolean): Found[] {
    return findKeys(read(p, "values"), match, "values");
}

/** The release's namespace (Release.namespace, or Chart v4's namespace input). */
export function releaseNamespace(p: any): string | undefined {
    const ns = peek(p, "namespace");
    return typeof ns === "string" ? ns : undefined;
}

// Rendered objects ----------------------------------------------------------------------------

/**
 * Where in a chart's values a rendered setting probably comes from, as the stack key to change
 * (`delivery:values connect.replicas (now 1)`): numeric values whose last key matches `key` and
 * whose value equals `value`, from the release record in the object's namespace (the engine shows
 * a helm.v4.Chart without its inputs, so the program records its numeric values there).
 */
export function valuesHint(resources: readonly { type: string; props: any }[], namespace: string | undefined, key: RegExp, value: unknown): string | undefined {
    for (const r of resources) {
        if (r.type !== "kubernetes:core/v1:ConfigMap" || peek(r.props, "metadata", "namespace") !== namespace) {
            continue;
        }
        const raw = peek(r.props, "data", "valueHints");
        if (typeof raw !== "string") {
            continue;
        }
        let hints: Record<string, unknown>;
        try {
            hints = JSON.parse(raw) as Record<string, unknown>;
        } catch {
            continue;
        }
        const paths = Object.entries(hints).filter(([p, v]) => v === value && key.test(p.split(".").pop() ?? "")).map(([p]) => p);
        if (paths.length > 0) {
            return `delivery:values ${paths.slice(0, 3).join(" / ")} (now ${JSON.stringify(value)})`;
        }
    }
    return undefined;
}

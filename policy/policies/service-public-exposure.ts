import { isOpenToAll, outside } from "../lib/cidr";
import { resourcePolicy } from "../lib/define";
import { list, read, stringMap } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, SERVICE } from "../lib/types";
import { describeRelease, findInValues } from "../lib/workloads";

export interface Params {
    /** Ranges a LoadBalancer's source ranges must stay inside; [] accepts any range except 0.0.0.0/0. */
    readonly allowedSourceRanges: string[];
}

/** Annotations that make a cloud load balancer internal (no public address). */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, RegExp>> = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": /^(true|0\.0\.0\.0\/0)$/i,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": /^internal$/i,
    "service.beta.kubernetes.io/azure-load-balancer-internal": /^true$/i,
    "networking.gke.io/load-balancer-type": /^internal$/i,
    "cloud.google.com/load-balancer-type": /^internal$/i,
};

function isInternal(annotations: Record<string, string>): boolean {
    return Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, re]) => annotations[k] !== undefined && re.test(annotations[k]));
}

/** Why a service spec exposes the app publicly, or undefined. */
function exposure(spec: { type: unknown; ranges: unknown[]; annotations: Record<string, string>; externalIPs?: unknown[] }, allowed: readonly string[]): string | undefined {
    const external = (spec.externalIPs ?? []).filter((a) => typeof a === "string" && a !== "");
    if (external.length > 0) {
        // Every node answers on these addresses, whoever owns them (CVE-2020-8554).
        return `sets externalIPs (${external.join(", ")}), which every node answers on, whoever owns the address`;
    }
    if (spec.type === "NodePort") {
        return "is a NodePort, which opens the port on every node";
    }
    if (spec.type !== "LoadBalancer" || isInternal(spec.annotations)) {
        return undefined;
    }
    const ranges = spec.ranges.filter((r): r is string => typeof r === "string");
    if (ranges.length === 0) {
        return "is a public LoadBalancer without loadBalancerSourceRanges, open to every address";
    }
    if (ranges.some(isOpenToAll)) {
        return `is a public LoadBalancer whose loadBalancerSourceRanges include ${ranges.filter(isOpenToAll).join(", ")}`;
    }
    const stray = allowed.length > 0 ? outside(ranges, allowed) : [];
    return stray.length > 0 ? `is a public LoadBalancer open to ${stray.join(", ")}, outside the allowed ranges ${allowed.join(", ")}` : undefined;
}

/** Traffic reaches the app through the ingress controller, not through its own public address. */
export const servicePublicExposure = resourcePolicy<Params>({
    name: "service-public-exposure",
    description: "Services are not exposed as NodePorts, on externalIPs, or as public LoadBalancers without a source-range allow-list (internal load balancers are fine).",
    severity: "high",
    topics: ["network"],
    scope: "all",
    blocks: "NodePort services, externalIPs and public LoadBalancers without an allow-list, in manifests or Helm values",
    remedy: "use a ClusterIP service behind the ingress, an internal load balancer annotation, or loadBalancerSourceRanges",
    resourceTypes: [SERVICE, ...HELM_VALUES_TYPES],
    appliesTo: (t) => t === SERVICE || isHelmValues(t),
    params: {
        allowedSourceRanges: { type: "array", items: { type: "string" }, default: [], description: "CIDRs LoadBalancer source ranges must fall within; empty accepts any range narrower than 0.0.0.0/0." },
    },
    validate: ({ type, name, props, config, report }) => {
        if (isHelmValues(type)) {
            const services = findInValues(props, (k, v) => /service$/i.test(k) && typeof v === "object" && v !== null && !Array.isArray(v));
            for (const f of services) {
                const s = f.value as Record<string, unknown>;
                const annotations = Object.fromEntries(Object.entries((s.annotations ?? {}) as object).filter(([, v]) => typeof v === "string")) as Record<string, string>;
                const problem = exposure({
                    type: s.type, ranges: Array.isArray(s.loadBalancerSourceRanges) ? s.loadBalancerSourceRanges : [], annotations,
                    externalIPs: Array.isArray(s.externalIPs) ? s.externalIPs : [],
                }, config.allowedSourceRanges);
                if (problem) {
                    report(`${describeRelease(name, props)}: the service at ${f.path} ${problem}`);
                }
            }
            return;
        }
        const problem = exposure({
            type: read(props, "spec", "type"),
            ranges: list(props, "spec", "loadBalancerSourceRanges"),
            annotations: stringMap(props, "metadata", "annotations"),
            externalIPs: list(props, "spec", "externalIPs"),
        }, config.allowedSourceRanges);
        if (problem) {
            report(`Service ${name} ${problem}`);
        }
    },
});

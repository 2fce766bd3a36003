import { stackPolicy } from "../lib/define";
import { appNamespaces, inNamespace } from "../lib/namespaces";
import { appLabel, platformCharts, platformNamespaces } from "../lib/params";
import { isSet } from "../lib/props";
import { HELM_TYPES, NAMESPACE, RESOURCE_QUOTA } from "../lib/types";

export interface Params {
    readonly platformNamespaces: string[];
    readonly platformCharts: string[];
    readonly appLabel: string;
}

const isQuota = (t: string) => t === RESOURCE_QUOTA;

/** The application's namespace cannot take the whole cluster's capacity. */
export const namespaceResourceQuota = stackPolicy<Params>({
    name: "namespace-resource-quota",
    description: "Every application namespace has a ResourceQuota that caps CPU and memory.",
    severity: "medium",
    topics: ["namespaces", "capacity"],
    scope: "all",
    blocks: "application namespaces without a ResourceQuota capping CPU and memory",
    remedy: "keep the AppNamespace component's quota (delivery:namespace.quota) for the namespace",
    resourceTypes: [NAMESPACE, RESOURCE_QUOTA, ...HELM_TYPES],
    params: { platformNamespaces: platformNamespaces(), platformCharts: platformCharts(), appLabel: appLabel() },
    validate: ({ resources, config, report }) => {
        for (const ns of appNamespaces(resources, config)) {
            const quotas = inNamespace(resources, isQuota, ns.name);
            if (quotas.length === 0) {
                report(`Namespace ${ns.name} (${ns.because}) has no ResourceQuota`, ns.resource);
                continue;
            }
            const caps = (dim: "cpu" | "memory") => quotas.some((q) => isSet(q.props, "spec", "hard", `requests.${dim}`) || isSet(q.props, "spec", "hard", dim));
            const uncapped = (["cpu", "memory"] as const).filter((d) => !caps(d));
            if (uncapped.length > 0) {
                report(`Namespace ${ns.name} has a ResourceQuota that does not cap ${uncapped.join(" or ")} (spec.hard.requests.${uncapped[0]})`, quotas[0],
                    "set requests.cpu, requests.memory, limits.cpu and limits.memory in the quota's spec.hard");
            }
        }
    },
});

import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { isRecord } from "../lib/record";
import { HELM_CHART_V4 } from "../lib/types";
import { namespaceOf } from "../lib/workloads";

export interface Params {
    readonly allowedClusterKinds: string[];
}

/** The helm.v4.Chart an object was rendered by (its parent, or an ancestor), if any. */
function renderingChart(r: PolicyResource): PolicyResource | undefined {
    for (let x = r.parent; x !== undefined; x = x.parent) {
        if (x.type === HELM_CHART_V4) {
            return x;
        }
    }
    return undefined;
}

/**
 * An application chart in production changes its own namespace only. The provider gives every
 * namespaced object without a namespace the release's, so a rendered object without one is
 * cluster-scoped (a CRD, a webhook configuration, an APIService, a PersistentVolume…), and one
 * with another namespace was hard-coded there by the chart: outside the app's quota, pod security
 * level and default-deny network policy.
 */
export const helmReleaseNamespaceScope = stackPolicy<Params>({
    name: "helm-release-namespace-scope",
    description: "In production, the objects an application chart (helm.v4.Chart) renders stay in the app's namespace: none in another namespace, and no cluster-scoped object except the kinds in allowedClusterKinds.",
    severity: "high",
    topics: ["helm", "isolation"],
    scope: "production",
    blocks: "production chart objects in another namespace (kube-system…) or cluster-scoped (CRDs, webhook configurations, APIServices, PriorityClasses, PersistentVolumes…)",
    remedy: "keep every object of the chart in the app's namespace (no hard-coded metadata.namespace); have the platform team install cluster-wide objects, or allow the kind in allowedClusterKinds in the policy config",
    resourceTypes: [HELM_CHART_V4],
    params: {
        allowedClusterKinds: {
            type: "array",
            items: { type: "string" },
            default: ["ClusterRole", "ClusterRoleBinding"],
            description: "Cluster-scoped kinds an application chart may render (the RBAC policies judge ClusterRoles and their bindings).",
        },
    },
    validate: ({ resources, config, report }) => {
        // The app's namespace: where the program writes the release record beside the chart.
        const appNamespaces = new Set(resources.filter(isRecord).map((r) => namespaceOf(r.props)).filter((n): n is string => n !== undefined && n !== ""));
        for (const r of resources) {
            if (!renderingChart(r)) {
                continue;
            }
            const kind = r.type.split(":").pop()!;
            const ns = namespaceOf(r.props);
            if (ns === undefined || ns === "") {
                if (!config.allowedClusterKinds.includes(kind)) {
                    report(`${kind} ${r.name} is cluster-scoped: the application chart would change the whole cluster, not the app's namespace`, r);
                }
            } else if (appNamespaces.size > 0 && !appNamespaces.has(ns)) {
                report(`${kind} ${r.name} is rendered into namespace ${ns}, outside the app's namespace (${[...appNamespaces].sort().join(", ")}), where its quota, pod security level and default-deny network policy do not apply`, r);
            }
        }
    },
});

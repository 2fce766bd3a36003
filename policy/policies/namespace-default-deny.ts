import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { appNamespaces, inNamespace } from "../lib/namespaces";
import { appLabel, platformCharts, platformNamespaces } from "../lib/params";
import { list, peek } from "../lib/props";
import { HELM_TYPES, NAMESPACE, NETWORK_POLICY } from "../lib/types";

export interface Params {
    readonly platformNamespaces: string[];
    readonly platformCharts: string[];
    readonly appLabel: string;
}

const isNetworkPolicy = (t: string) => /^kubernetes:networking\.k8s\.io\/v1(beta1)?:NetworkPolicy$/.test(t);

/** Selects every pod: `podSelector: {}` (no labels, no expressions). */
function selectsAll(np: PolicyResource): boolean {
    const sel = peek(np.props, "spec", "podSelector");
    if (sel === undefined || sel === null) {
        return true;
    }
    const o = sel as { matchLabels?: object; matchExpressions?: unknown[] };
    return Object.keys(o.matchLabels ?? {}).length === 0 && (o.matchExpressions ?? []).length === 0;
}

/** Directions a policy denies outright: listed in policyTypes with no rules for them. */
function denies(np: PolicyResource): Set<string> {
    const types = list(np.props, "spec", "policyTypes");
    const effective = types.length > 0 ? types : ["Ingress", ...(peek(np.props, "spec", "egress") !== undefined ? ["Egress"] : [])];
    return new Set(effective.filter((t) => list(np.props, "spec", t === "Ingress" ? "ingress" : "egress").length === 0));
}

/** Pods in the application namespace talk only to what another policy explicitly allows. */
export const namespaceDefaultDeny = stackPolicy<Params>({
    name: "namespace-default-deny",
    description: "Every application namespace has a default-deny NetworkPolicy: all pods selected, ingress and egress denied unless allowed by another policy.",
    severity: "high",
    topics: ["namespaces", "network"],
    scope: "all",
    blocks: "application namespaces without a default-deny NetworkPolicy for ingress and egress",
    remedy: "keep the AppNamespace component's default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)",
    resourceTypes: [NAMESPACE, NETWORK_POLICY, ...HELM_TYPES],
    params: { platformNamespaces: platformNamespaces(), platformCharts: platformCharts(), appLabel: appLabel() },
    validate: ({ resources, config, report }) => {
        for (const ns of appNamespaces(resources, config)) {
            const denied = new Set<string>();
            for (const np of inNamespace(resources, isNetworkPolicy, ns.name).filter(selectsAll)) {
                denies(np).forEach((d) => denied.add(d));
            }
            const open = ["Ingress", "Egress"].filter((d) => !denied.has(d));
            if (open.length === 2) {
                report(`Namespace ${ns.name} (${ns.because}) has no default-deny NetworkPolicy: every pod accepts and opens any connection`, ns.resource);
            } else if (open.length === 1) {
                report(`Namespace ${ns.name} denies ${open[0] === "Ingress" ? "egress" : "ingress"} by default but not ${open[0].toLowerCase()}`, ns.resource,
                    `add ${open[0]} to the default-deny policy's policyTypes`);
            }
        }
    },
});

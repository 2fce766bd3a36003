import { environmentFromStackName, resourceEnvironment } from "../lib/environment";
import { resourcePolicy } from "../lib/define";
import { list, peek } from "../lib/props";
import { CLUSTER_SECRET_STORE, isClusterSecretStore } from "../lib/types";

/** Namespaces of the cluster and its platform: never consumers of an application's secrets. */
const PLATFORM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "external-secrets"];

/** Regular expressions that admit every namespace. */
const MATCH_ALL = /^\^?\.[*+]\$?$/;

function narrows(condition: any): string | undefined {
    const namespaces = list(condition, "namespaces");
    const regexes = list(condition, "namespaceRegexes");
    const selector = peek(condition, "namespaceSelector") as { matchLabels?: object; matchExpressions?: unknown[] } | undefined;
    const selects = selector !== undefined && selector !== null && (Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0);
    if (regexes.some((r) => typeof r === "string" && MATCH_ALL.test(r))) {
        return `namespaceRegexes ${JSON.stringify(regexes)} match every namespace`;
    }
    return namespaces.length > 0 || regexes.length > 0 || selects ? undefined : "a condition names no namespaces, namespaceSelector or namespaceRegexes";
}

/** A ClusterSecretStore serves only the namespaces it names. */
export const clustersecretstoreNamespaceConditions = resourcePolicy({
    name: "clustersecretstore-namespace-conditions",
    description: "ClusterSecretStores are narrowed with spec.conditions (namespaces, namespaceSelector or namespaceRegexes); without them every namespace can read every secret the store reaches.",
    severity: "high",
    topics: ["secrets", "isolation"],
    scope: "all",
    blocks: "ClusterSecretStores usable from every namespace",
    remedy: "list the namespaces that may use the store in delivery:secrets.clusterStore.namespaces (spec.conditions[].namespaces)",
    resourceTypes: [CLUSTER_SECRET_STORE],
    appliesTo: isClusterSecretStore,
    validate: ({ args, name, props, report }) => {
        const urn = args.urn;
        const conditions = list(props, "spec", "conditions");
        if (conditions.length === 0) {
            report(`ClusterSecretStore ${name} has no spec.conditions, so any namespace may read through it`);
            return;
        }
        for (const [i, c] of conditions.entries()) {
            const problem = narrows(c);
            if (problem) {
                report(`ClusterSecretStore ${name}: spec.conditions[${i}]: ${problem}`);
            }
            for (const ns of list(c, "namespaces")) {
                if (typeof ns === "string" && (PLATFORM_NAMESPACES.includes(ns) || ns.startsWith("kube-"))) {
                    report(`ClusterSecretStore ${name}: spec.conditions[${i}] admits ${ns}, a namespace of the cluster or its platform`,
                        "list only the application's namespaces in delivery:secrets.clusterStore.namespaces");
                }
                const own = resourceEnvironment(urn, props);
                const theirs = typeof ns === "string" ? environmentFromStackName(ns.split("-").pop() ?? "") : undefined;
                if (own && theirs && theirs !== own) {
                    report(`ClusterSecretStore ${name}: spec.conditions[${i}] admits ${ns}, a ${theirs} namespace, to a ${own} store`,
                        "list only this environment's namespaces in delivery:secrets.clusterStore.namespaces");
                }
            }
        }
    },
});

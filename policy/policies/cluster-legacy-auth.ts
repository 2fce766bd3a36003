import { describeCluster, legacyAuthProblems } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

/** Only the cloud's identity system grants access to the API server. */
export const clusterLegacyAuth = resourcePolicy({
    name: "cluster-legacy-auth",
    description: "Clusters authenticate only through the cloud's identity system: no GKE basic auth or client certificates, no AKS local accounts, no EKS aws-auth ConfigMap.",
    severity: "high",
    topics: ["cluster", "identity"],
    scope: "all",
    blocks: "GKE basic auth / client certificates, AKS local accounts or RBAC off, EKS aws-auth ConfigMap authentication",
    remedy: "use cloud identities only: EKS accessConfig.authenticationMode API, AKS disableLocalAccounts with Entra ID, GKE without masterAuth credentials",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    validate: ({ type, name, props, report }) => {
        for (const problem of legacyAuthProblems(type, props)) {
            report(`${describeCluster(type, name)} ${problem}`);
        }
    },
});

import { describeCluster, kindOf, workloadIdentityProblems } from "../lib/clusters";
import { stackPolicy } from "../lib/define";
import { list, peek, read } from "../lib/props";
import { AWS_OIDC_PROVIDER, CLUSTER_TYPES, EKS_ADDON, GKE_NODE_POOL, isCluster } from "../lib/types";

/** Workloads get cloud credentials through workload identity, never node credentials or keys. */
export const clusterWorkloadIdentity = stackPolicy({
    name: "cluster-workload-identity",
    description: "Clusters federate service accounts with the cloud's identity: an IAM OIDC provider or Pod Identity for EKS, the OIDC issuer and workload identity for AKS, a workload pool (and GKE metadata server on nodes) for GKE.",
    severity: "high",
    topics: ["cluster", "identity"],
    scope: "all",
    blocks: "clusters without workload identity / OIDC federation",
    remedy: "enable workload identity: EKS IAM OIDC provider (sts.amazonaws.com), AKS oidcIssuerProfile and securityProfile.workloadIdentity, GKE workloadIdentityConfig with GKE_METADATA on node pools",
    resourceTypes: [...CLUSTER_TYPES, ...AWS_OIDC_PROVIDER, ...EKS_ADDON, ...GKE_NODE_POOL],
    validate: ({ resources, report }) => {
        const oidcProviders = resources.filter((r) => (AWS_OIDC_PROVIDER as readonly string[]).includes(r.type)
            && [...list(r.props, "clientIdLists"), ...list(r.props, "clientIdList")].includes("sts.amazonaws.com"));
        const podIdentity = resources.filter((r) => (EKS_ADDON as readonly string[]).includes(r.type) && peek(r.props, "addonName") === "eks-pod-identity-agent");
        for (const cluster of resources.filter((r) => isCluster(r.type))) {
            const what = describeCluster(cluster.type, cluster.name);
            if (kindOf(cluster.type) === "EKS" && oidcProviders.length === 0 && podIdentity.length === 0) {
                report(`${what} has no IAM OIDC provider for sts.amazonaws.com and no eks-pod-identity-agent add-on, so pods can only use the node role`, cluster);
            }
            for (const problem of workloadIdentityProblems(cluster.type, cluster.props)) {
                report(`${what} ${problem}`, cluster);
            }
        }
        for (const pool of resources.filter((r) => (GKE_NODE_POOL as readonly string[]).includes(r.type))) {
            const mode = read(pool.props, "nodeConfig", "workloadMetadataConfig", "mode");
            if (mode !== undefined && mode !== "GKE_METADATA") {
                report(`GKE node pool ${pool.name} exposes the node's metadata server to pods (nodeConfig.workloadMetadataConfig.mode ${JSON.stringify(mode)})`, pool,
                    "set nodeConfig.workloadMetadataConfig.mode to GKE_METADATA");
            }
        }
    },
});

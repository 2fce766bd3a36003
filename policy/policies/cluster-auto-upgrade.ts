import { controlPlaneUpgradeProblems, describeCluster } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

/** The control plane follows an upgrade channel instead of ageing out of support. */
export const clusterAutoUpgrade = resourcePolicy({
    name: "cluster-auto-upgrade",
    description: "The control plane is kept current automatically (EKS standard support, AKS upgrade channel, GKE release channel).",
    severity: "medium",
    topics: ["cluster", "lifecycle"],
    scope: "all",
    blocks: "control planes with automatic upgrades off (EKS extended support, AKS channel none, GKE no release channel)",
    remedy: "set delivery:cluster.autoUpgrade: true",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    validate: ({ type, name, props, report }) => {
        for (const problem of controlPlaneUpgradeProblems(type, props)) {
            report(`${describeCluster(type, name)} ${problem}`);
        }
    },
});

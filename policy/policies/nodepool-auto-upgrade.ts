import { resourcePolicy } from "../lib/define";
import { aksNodeOsUpgradeProblems, nodePoolsOf } from "../lib/nodepools";
import { AKS_CLUSTER_CLASSIC, AKS_CLUSTER_NATIVE, clusterKind, isNodePool, NODE_POOL_TYPES } from "../lib/types";

/** Nodes are repaired and patched automatically. */
export const nodepoolAutoUpgrade = resourcePolicy({
    name: "nodepool-auto-upgrade",
    description: "Worker nodes are auto-repaired and their images auto-upgraded (EKS node repair, GKE management, AKS node OS channel).",
    severity: "medium",
    topics: ["nodes", "lifecycle"],
    scope: "all",
    blocks: "node pools with auto-repair or auto-upgrade off",
    remedy: "set delivery:cluster.autoUpgrade: true",
    resourceTypes: [...NODE_POOL_TYPES, AKS_CLUSTER_NATIVE, AKS_CLUSTER_CLASSIC],
    appliesTo: (t) => isNodePool(t) || clusterKind(t) === "AKS",
    validate: ({ type, name, props, report }) => {
        if (clusterKind(type) === "AKS") {
            for (const problem of aksNodeOsUpgradeProblems(type, props)) {
                report(`AKS cluster ${name} ${problem}`);
            }
            return;
        }
        for (const pool of nodePoolsOf(type, name, props)) {
            for (const problem of pool.maintenanceProblems()) {
                report(`${pool.label} ${problem}`);
            }
        }
    },
});

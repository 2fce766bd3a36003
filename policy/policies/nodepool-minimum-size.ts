import { resourcePolicy } from "../lib/define";
import { nodePoolsOf } from "../lib/nodepools";
import { AKS_CLUSTER_CLASSIC, AKS_CLUSTER_NATIVE, clusterKind, isNodePool, NODE_POOL_TYPES } from "../lib/types";

export interface Params {
    /** Fewest nodes a production pool may scale down to. */
    readonly minNodes: number;
}

/** Production node pools keep enough nodes to survive losing one. */
export const nodepoolMinimumSize = resourcePolicy<Params>({
    name: "nodepool-minimum-size",
    description: "Production node pools never scale below the configured minimum number of nodes.",
    severity: "high",
    topics: ["nodes", "availability"],
    scope: "production",
    blocks: "production node pools that can shrink below `minNodes` (default 3)",
    remedy: "raise delivery:cluster.nodes.min",
    resourceTypes: [...NODE_POOL_TYPES, AKS_CLUSTER_NATIVE, AKS_CLUSTER_CLASSIC],
    appliesTo: (t) => isNodePool(t) || clusterKind(t) === "AKS",
    params: {
        minNodes: { type: "integer", minimum: 1, default: 3, description: "Fewest nodes a production pool may have." },
    },
    validate: ({ type, name, props, config, report }) => {
        for (const pool of nodePoolsOf(type, name, props)) {
            const min = pool.minNodes();
            if (min !== undefined && min < config.minNodes) {
                report(`${pool.label} may run on ${min} node${min === 1 ? "" : "s"} (${pool.minNodesSetting}), fewer than the production minimum of ${config.minNodes}`,
                    `set delivery:cluster.nodes.min to ${config.minNodes} or more`);
            }
        }
    },
});

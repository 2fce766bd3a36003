import { resourcePolicy } from "../lib/define";
import { nodePoolsOf } from "../lib/nodepools";
import { list, read } from "../lib/props";
import { AKS_CLUSTER_CLASSIC, AKS_CLUSTER_NATIVE, clusterKind, GKE_CLUSTER, isNodePool, NODE_POOL_TYPES } from "../lib/types";

export interface Params {
    /** Fewest zones production nodes must spread over. */
    readonly minZones: number;
}

/** A GKE location that is a zone (`europe-west1-b`) rather than a region. */
const isZone = (location: string) => /-[a-z]$/.test(location);

/** Production nodes span several zones, so one zone's outage does not take the app down. */
export const clusterZoneRedundancy = resourcePolicy<Params>({
    name: "cluster-zone-redundancy",
    description: "Production clusters and their node pools span at least the configured number of availability zones.",
    severity: "high",
    topics: ["cluster", "availability"],
    scope: "production",
    blocks: "production clusters or node pools in fewer than `minZones` zones (default 2)",
    remedy: "list more zones in delivery:cluster.zones",
    resourceTypes: [...NODE_POOL_TYPES, AKS_CLUSTER_NATIVE, AKS_CLUSTER_CLASSIC, ...GKE_CLUSTER],
    appliesTo: (t) => isNodePool(t) || clusterKind(t) === "AKS" || clusterKind(t) === "GKE",
    params: {
        minZones: { type: "integer", minimum: 1, default: 2, description: "Fewest availability zones for production nodes." },
    },
    validate: ({ type, name, props, config, report }) => {
        const remedy = `list at least ${config.minZones} zones in delivery:cluster.zones`;
        if (clusterKind(type) === "GKE") {
            const location = read(props, "location");
            const nodeLocations = list(props, "nodeLocations");
            const zones = nodeLocations.length > 0 ? nodeLocations.length : typeof location === "string" && isZone(location) ? 1 : undefined;
            if (zones !== undefined && zones < config.minZones) {
                report(`GKE cluster ${name} places its nodes in ${zones} zone${zones === 1 ? "" : "s"} (location ${JSON.stringify(location)}${nodeLocations.length ? `, nodeLocations ${nodeLocations.join(", ")}` : ""}), fewer than ${config.minZones}`, remedy);
            }
            return;
        }
        for (const pool of nodePoolsOf(type, name, props)) {
            const zones = pool.zones();
            if (zones !== undefined && zones < config.minZones) {
                report(`${pool.label} spreads over ${zones} zone${zones === 1 ? "" : "s"} (${pool.zonesSetting}), fewer than ${config.minZones}`, remedy);
            }
        }
    },
});

/**
 * Node pools of every cloud as one list: EKS managed node groups, GKE node pools, AKS agent pools
 * (separate resources, or inline in the managed cluster), with their size, zones and maintenance.
 */
import { isSet, list, peek, read, UNKNOWN } from "./props";
import { clusterKind, isAwsNative, isAzureClassic, nodePoolKind } from "./types";

export interface NodePoolView {
    /** `EKS node group delivery-prod-nodes`, `AKS pool system of cluster delivery-prod-aks`. */
    readonly label: string;
    /** Smallest number of nodes the pool scales to (read lazily: may be unknown in preview). */
    minNodes(): number | undefined;
    readonly minNodesSetting: string;
    /** Number of zones the pool's nodes spread over, when the pool says. */
    zones(): number | undefined;
    readonly zonesSetting: string;
    /** Why the pool's nodes are not repaired and upgraded automatically (empty when they are). */
    maintenanceProblems(): string[];
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);

/** Number of entries of a list that may hold unknown ids (their count is still known). */
function count(obj: unknown, ...path: string[]): number | undefined {
    const v = peek(obj, ...path);
    if (v === UNKNOWN) {
        read(obj, ...path); // the whole list is unknown: let the proxy report it
    }
    return Array.isArray(v) ? v.length : undefined;
}

function aksPool(label: string, pool: any, classic: boolean): Omit<NodePoolView, "maintenanceProblems"> {
    const autoscaling = classic ? read(pool, "autoScalingEnabled") ?? read(pool, "enableAutoScaling") : read(pool, "enableAutoScaling");
    return {
        label,
        minNodes: () => num(autoscaling ? read(pool, "minCount") : classic ? read(pool, "nodeCount") : read(pool, "count")),
        minNodesSetting: autoscaling ? "minCount" : classic ? "nodeCount" : "count",
        // No zones listed: AKS places the pool in a single (non-zonal) fault domain.
        zones: () => count(pool, classic ? "zones" : "availabilityZones") ?? 1,
        zonesSetting: classic ? "zones" : "availabilityZones",
    };
}

/** AKS sets node image upgrades once for the cluster (`nodeOSUpgradeChannel`), not per pool. */
export function aksNodeOsUpgradeProblems(type: string, p: any): string[] {
    const classic = isAzureClassic(type);
    const setting = classic ? "nodeOsUpgradeChannel" : "autoUpgradeProfile.nodeOSUpgradeChannel";
    const channel = classic ? read(p, "nodeOsUpgradeChannel") ?? read(p, "nodeOsChannelUpgrade") : read(p, "autoUpgradeProfile", "nodeOSUpgradeChannel");
    return channel === "None" || channel === "Unmanaged"
        ? [`has node image upgrades off (${setting} ${JSON.stringify(channel)}): node OS security patches are never applied`]
        : [];
}

/** The node pools a resource defines (none for resources that are not clusters or pools). */
export function nodePoolsOf(type: string, name: string, p: any): NodePoolView[] {
    const pool = nodePoolKind(type);
    if (pool === "EKS") {
        const subnets = isAwsNative(type) ? "subnets" : "subnetIds";
        return [{
            label: `EKS node group ${name}`,
            minNodes: () => num(read(p, "scalingConfig", "minSize")),
            minNodesSetting: "scalingConfig.minSize",
            // One private subnet per zone: the subnets a group may place nodes in bound its zones.
            zones: () => count(p, subnets),
            zonesSetting: subnets,
            maintenanceProblems: () => read(p, "nodeRepairConfig", "enabled") === true ? []
                : ["has node auto-repair off (nodeRepairConfig.enabled is not true): failed nodes are not replaced"],
        }];
    }
    if (pool === "GKE") {
        return [{
            label: `GKE node pool ${name}`,
            minNodes: () => {
                const total = num(read(p, "autoscaling", "totalMinNodeCount"));
                if (total !== undefined) {
                    return total;
                }
                const perZone = num(read(p, "autoscaling", "minNodeCount")) ?? num(read(p, "nodeCount")) ?? num(read(p, "initialNodeCount"));
                return perZone === undefined ? undefined : perZone * Math.max(1, count(p, "nodeLocations") ?? 1);
            },
            minNodesSetting: "autoscaling.totalMinNodeCount",
            zones: () => count(p, "nodeLocations"),
            zonesSetting: "nodeLocations",
            maintenanceProblems: () => {
                const problems: string[] = [];
                if (read(p, "management", "autoRepair") === false) {
                    problems.push("has auto-repair off (management.autoRepair: false)");
                }
                if (read(p, "management", "autoUpgrade") === false) {
                    problems.push("has auto-upgrade off (management.autoUpgrade: false)");
                }
                return problems;
            },
        }];
    }
    if (pool === "AKS") {
        const classic = isAzureClassic(type);
        return [{ ...aksPool(`AKS agent pool ${name}`, p, classic), maintenanceProblems: () => [] }];
    }
    const cluster = clusterKind(type);
    if (cluster === "AKS") {
        const classic = isAzureClassic(type);
        const profiles = classic ? (isSet(p, "defaultNodePool") ? [read(p, "defaultNodePool")] : []) : list(p, "agentPoolProfiles");
        return profiles.map((profile: any, i: number) => ({
            ...aksPool(`AKS pool ${read(profile, "name") ?? i} of cluster ${name}`, profile, classic),
            maintenanceProblems: () => [], // see aksNodeOsUpgradeProblems
        }));
    }
    return [];
}

import { controlPlaneVersion, describeCluster } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

export interface Params {
    /** Oldest Kubernetes minor version allowed, e.g. "1.30". */
    readonly minimumVersion: string;
}

/** Oldest minor version still in standard support on EKS, AKS and GKE when this was written. */
export const DEFAULT_MINIMUM_VERSION = "1.30";

/** `1.31`, `1.31.2`, `1.31.5-gke.100` → [1, 31]. */
function minor(version: string): [number, number] | undefined {
    const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function below(version: string, floor: string): boolean {
    const v = minor(version);
    const f = minor(floor);
    return v !== undefined && f !== undefined && (v[0] < f[0] || (v[0] === f[0] && v[1] < f[1]));
}

/** Clusters run a Kubernetes version at or above the configured floor. */
export const clusterVersionFloor = resourcePolicy<Params>({
    name: "cluster-version-floor",
    description: "Clusters run a Kubernetes minor version at or above the configured floor.",
    severity: "medium",
    topics: ["cluster", "lifecycle"],
    scope: "all",
    blocks: "a control plane below `minimumVersion` (default 1.30)",
    remedy: "raise delivery:cluster.version to a supported minor version",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    params: {
        minimumVersion: { type: "string", pattern: "^\\d+\\.\\d+$", default: DEFAULT_MINIMUM_VERSION, description: "Oldest allowed Kubernetes minor version." },
    },
    validate: ({ type, name, props, config, report }) => {
        const v = controlPlaneVersion(type, props);
        if (typeof v.value === "string" && below(v.value, config.minimumVersion)) {
            report(`${describeCluster(type, name)} runs Kubernetes ${v.value} (${v.setting}), below the floor ${config.minimumVersion}`,
                `set delivery:cluster.version to "${config.minimumVersion}" or newer`);
        }
    },
});

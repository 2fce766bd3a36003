import { resourcePolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { findKeys, read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isReplicatedWorkload } from "../lib/types";
import { describeRelease, describeWorkload, findInValues, isPlatformRelease, podSpecOf, valuesOf } from "../lib/workloads";

export interface Params {
    readonly platformCharts: string[];
}

export const ZONE_KEYS = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"];

const spreadsByZone = (root: unknown) => findKeys(root, (k, v) => k === "topologyKey" && typeof v === "string" && ZONE_KEYS.includes(v)).length > 0;

/** Production replicas do not all sit in one zone. */
export const workloadZoneSpread = resourcePolicy<Params>({
    name: "workload-zone-spread",
    description: "Production workloads spread their replicas across zones (topology spread constraints or anti-affinity on the zone key).",
    severity: "medium",
    topics: ["workloads", "availability"],
    scope: "production",
    blocks: "production workloads whose replicas may all land in one zone",
    remedy: "set delivery:app.spreadAcrossZones: true",
    resourceTypes: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", ...HELM_VALUES_TYPES],
    appliesTo: (t) => isReplicatedWorkload(t) || isHelmValues(t),
    params: { platformCharts: platformCharts() },
    validate: ({ args, type, name, props, config, report }) => {
        if (isHelmValues(type)) {
            if (isPlatformRelease(props, config.platformCharts)) {
                return args.notApplicable(`${name} installs a platform chart`);
            }
            const v = valuesOf(props);
            if (read(v, "replicaCount") === undefined && read(v, "autoscaling") === undefined) {
                return args.notApplicable(`${name} does not look like a workload chart`);
            }
            const on = read(v, "topologySpread", "enabled") === true || findInValues(props, (k, x) => k === "topologyKey" && typeof x === "string" && ZONE_KEYS.includes(x)).length > 0;
            if (!on) {
                report(`${describeRelease(name, props)} does not spread its pods across zones (values.topologySpread.enabled is not true and no zone topologyKey is set)`);
            }
            return;
        }
        // One replica cannot spread (workload-replicas-minimum reports that); no spec.replicas means an
        // autoscaler owns the count, and its pods must spread like any others.
        const replicas = read(props, "spec", "replicas");
        if (typeof replicas === "number" && replicas < 2) {
            return;
        }
        if (!spreadsByZone(podSpecOf(type, props))) {
            report(`${describeWorkload(type, name)} has no topologySpreadConstraints or pod anti-affinity on ${ZONE_KEYS[0]}`,
                `add a topologySpreadConstraint with topologyKey ${ZONE_KEYS[0]} to the pod template`);
        }
    },
});

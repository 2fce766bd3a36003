import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { peek, read, stringMap } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isPdb, isReplicatedWorkload, PDB, WORKLOAD_TYPES } from "../lib/types";
import { describeRelease, describeWorkload, isPlatformRelease, namespaceOf, podLabelsOf, releaseNamespace, valuesOf } from "../lib/workloads";

export interface Params {
    readonly platformCharts: string[];
}

/** A PodDisruptionBudget whose selector picks the pods with `labels`. */
function selects(pdb: PolicyResource, labels: Record<string, string>): boolean {
    const match = stringMap(pdb.props, "spec", "selector", "matchLabels");
    const keys = Object.keys(match);
    return keys.length > 0 && keys.every((k) => labels[k] === match[k]);
}

/** Disruption budget settings of a chart: `podDisruptionBudget` or `pdb`. */
function helmBudget(values: any): { enabled: boolean; minAvailable?: unknown; maxUnavailable?: unknown } | undefined {
    const b = read(values, "podDisruptionBudget") ?? read(values, "pdb");
    if (b === undefined || b === null) {
        return undefined;
    }
    return { enabled: read(b, "enabled") === true, minAvailable: read(b, "minAvailable"), maxUnavailable: read(b, "maxUnavailable") };
}

/** Production workloads keep serving while nodes are drained. */
export const workloadDisruptionBudget = stackPolicy<Params>({
    name: "workload-disruption-budget",
    description: "Production workloads have a PodDisruptionBudget that keeps at least one pod up during voluntary disruptions (node drains, upgrades).",
    severity: "medium",
    topics: ["workloads", "availability"],
    scope: "production",
    blocks: "production workloads or app releases without a PodDisruptionBudget",
    remedy: "set delivery:app.pdb.minAvailable to 1 or more (below the replica count)",
    resourceTypes: [...HELM_VALUES_TYPES, ...WORKLOAD_TYPES.filter((t) => !/(DaemonSet|Job|Pod)$/.test(t)), PDB],
    params: { platformCharts: platformCharts() },
    validate: ({ resources, config, report }) => {
        const pdbs = resources.filter((r) => isPdb(r.type));
        for (const r of resources) {
            if (isHelmValues(r.type) && !isPlatformRelease(r.props, config.platformCharts)) {
                const v = valuesOf(r.props);
                if (read(v, "replicaCount") === undefined && read(v, "autoscaling") === undefined) {
                    continue; // not a workload chart as far as its values tell
                }
                const budget = helmBudget(v);
                const ns = releaseNamespace(r.props);
                const hasObject = pdbs.some((p) => namespaceOf(p.props) === ns);
                if (budget?.enabled && budget.minAvailable === 0 && budget.maxUnavailable === undefined) {
                    report(`${describeRelease(r.name, r.props)} has a PodDisruptionBudget with minAvailable 0, which lets a drain evict every pod`, r);
                } else if (!budget?.enabled && !hasObject) {
                    report(`${describeRelease(r.name, r.props)} has no PodDisruptionBudget (values.podDisruptionBudget.enabled is not true)`, r);
                }
            } else if (isReplicatedWorkload(r.type)) {
                const labels = podLabelsOf(r.type, r.props);
                const ns = namespaceOf(r.props);
                if (!pdbs.some((p) => namespaceOf(p.props) === ns && selects(p, labels))) {
                    report(`${describeWorkload(r.type, r.name)} has no PodDisruptionBudget selecting its pods${ns ? ` in ${ns}` : ""}`, r,
                        `add a PodDisruptionBudget (policy/v1) with minAvailable ≥ 1 whose selector matches ${JSON.stringify(labels)}`);
                }
            }
        }
        for (const p of pdbs) {
            if (peek(p.props, "spec", "minAvailable") === 0 && peek(p.props, "spec", "maxUnavailable") === undefined) {
                report(`PodDisruptionBudget ${p.name} has minAvailable 0, which protects nothing`, p, "set spec.minAvailable to 1 or more");
            }
        }
    },
});

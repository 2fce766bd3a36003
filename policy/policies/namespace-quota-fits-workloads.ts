import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { peek } from "../lib/props";
import { quantity } from "../lib/quantity";
import { isReplicatedWorkload, RESOURCE_QUOTA, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, namespaceOf, podSpecOf } from "../lib/workloads";

const show = (n: number, kind: "cpu" | "memory") => (kind === "cpu" ? `${n}m` : `${Math.round(n / 1024 ** 2)}Mi`);

/** The pods a workload runs at its rollout's peak: replicas plus one surge pod. */
function peakPods(r: PolicyResource): number {
    const replicas = peek(r.props, "spec", "replicas");
    return (typeof replicas === "number" ? replicas : 1) + 1;
}

/**
 * What the chart renders must fit the namespace's ResourceQuota, rollout surge included: a pod
 * over the quota is refused by the API server, so the rollout would hang until its timeout.
 */
export const namespaceQuotaFitsWorkloads = stackPolicy({
    name: "namespace-quota-fits-workloads",
    description: "The rendered workloads of a namespace fit its ResourceQuota (CPU and memory requests and limits, pods), with one surge pod each for rolling updates.",
    severity: "medium",
    topics: ["namespaces", "workloads", "availability"],
    scope: "all",
    blocks: "workloads whose pods (replicas + 1 surge) need more CPU, memory or pods than the namespace's ResourceQuota allows",
    remedy: "raise delivery:namespace.quota (cpu, memory, pods) or lower the chart's resources/replicas (delivery:app.resources, or the chart's values under delivery:values)",
    resourceTypes: [...WORKLOAD_TYPES, RESOURCE_QUOTA],
    validate: ({ resources, report }) => {
        const quotas = resources.filter((r) => r.type === RESOURCE_QUOTA);
        for (const q of quotas) {
            const ns = namespaceOf(q.props);
            const hard = (peek(q.props, "spec", "hard") ?? {}) as Record<string, unknown>;
            const workloads = resources.filter((r) => isReplicatedWorkload(r.type) && namespaceOf(r.props) === ns);
            if (workloads.length === 0) {
                continue;
            }
            const need: Record<string, number> = {};
            let pods = 0;
            for (const w of workloads) {
                const n = peakPods(w);
                pods += n;
                for (const c of containersOf(podSpecOf(w.type, w.props)).filter((x) => !x.init)) {
                    for (const [field, kind] of [["requests", "cpu"], ["requests", "memory"], ["limits", "cpu"], ["limits", "memory"]] as const) {
                        const v = quantity(peek(c.spec, "resources", field, kind), kind);
                        if (v !== undefined) {
                            need[`${field}.${kind}`] = (need[`${field}.${kind}`] ?? 0) + v * n;
                        }
                    }
                }
            }
            for (const key of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) {
                const kind = key.endsWith("cpu") ? "cpu" : "memory";
                const cap = quantity(hard[key] ?? (key.startsWith("requests.") ? hard[kind] : undefined), kind);
                if (cap !== undefined && need[key] !== undefined && need[key] > cap) {
                    report(`the workloads in ${ns} (${workloads.map((w) => describeWorkload(w.type, w.name)).join(", ")}) need ${show(need[key], kind)} of ${key} during a rollout, more than ResourceQuota ${q.name} allows (${show(cap, kind)}): pods over it are refused and the rollout hangs`, q);
                }
            }
            const podCap = Number(hard.pods);
            if (Number.isFinite(podCap) && pods > podCap) {
                report(`the workloads in ${ns} run up to ${pods} pods during a rollout, more than ResourceQuota ${q.name} allows (${podCap})`, q);
            }
        }
    },
});

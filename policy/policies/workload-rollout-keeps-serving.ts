import { resourcePolicy } from "../lib/define";
import { peek } from "../lib/props";
import { DEPLOYMENT } from "../lib/types";
import { describeWorkload } from "../lib/workloads";

/** The replicas a maxUnavailable of `v` takes down out of `replicas` (percentages round down, as Kubernetes does). */
export function unavailableOf(v: unknown, replicas: number): number {
    if (typeof v === "number") {
        return v;
    }
    const m = typeof v === "string" ? /^(\d+)%$/.exec(v.trim()) : null;
    return m ? Math.floor((Number(m[1]) * replicas) / 100) : Math.floor(replicas / 4);
}

/**
 * A failed rollout must leave the previous release serving: the update fails (Pulumi waits for the
 * rollout) while the old ReplicaSet's pods keep taking traffic. `Recreate`, or a rolling update that
 * may take every pod down, would turn a bad release into an outage.
 */
export const workloadRolloutKeepsServing = resourcePolicy({
    name: "workload-rollout-keeps-serving",
    description: "Production Deployments roll out without taking the previous release down: RollingUpdate, with maxUnavailable below the replica count.",
    severity: "high",
    topics: ["workloads", "availability", "rollout"],
    scope: "production",
    blocks: "production Deployments with strategy Recreate, or a maxUnavailable that can stop every pod",
    remedy: "use strategy RollingUpdate with maxUnavailable 0 and maxSurge 1 (the bundled chart's default), in the chart's values",
    resourceTypes: [DEPLOYMENT],
    appliesTo: (t) => /^kubernetes:apps\/v1:Deployment$/.test(t),
    validate: ({ type, name, props, report }) => {
        const strategy = peek(props, "spec", "strategy", "type") ?? "RollingUpdate";
        if (strategy === "Recreate") {
            report(`${describeWorkload(type, name)} uses strategy Recreate: every pod of the previous release stops before the new one is ready`);
            return;
        }
        const replicas = peek(props, "spec", "replicas");
        const n = typeof replicas === "number" ? replicas : 3;
        const down = unavailableOf(peek(props, "spec", "strategy", "rollingUpdate", "maxUnavailable"), n);
        if (down >= n) {
            report(`${describeWorkload(type, name)} may take ${down} of ${n} pods down during a rollout (spec.strategy.rollingUpdate.maxUnavailable), so a failed rollout leaves nothing serving`);
        }
    },
});

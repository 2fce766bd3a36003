import { resourcePolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { read } from "../lib/props";
import { HELM_TYPES, HPA, isHelm, isHpa, isReplicatedWorkload, WORKLOAD_TYPES } from "../lib/types";
import { describeRelease, describeWorkload, isPlatformRelease, valuesOf } from "../lib/workloads";

export interface Params {
    readonly minReplicas: number;
    readonly platformCharts: string[];
}

/** Production runs enough replicas to lose one (a node, a zone, a bad pod) without an outage. */
export const workloadReplicasMinimum = resourcePolicy<Params>({
    name: "workload-replicas-minimum",
    description: "Production workloads run at least the configured minimum number of replicas (the autoscaler's floor when autoscaling).",
    severity: "high",
    topics: ["workloads", "availability"],
    scope: "production",
    blocks: "production Deployments/StatefulSets, HPAs or Helm releases with fewer than `minReplicas` (default 3)",
    remedy: "raise delivery:app.replicas (and delivery:app.autoscaling.min when autoscaling)",
    resourceTypes: [...WORKLOAD_TYPES.filter((t) => !/(DaemonSet|Job|Pod)$/.test(t)), HPA, ...HELM_TYPES],
    appliesTo: (t) => isReplicatedWorkload(t) || isHpa(t) || isHelm(t),
    params: {
        minReplicas: { type: "integer", minimum: 1, default: 3, description: "Fewest replicas a production workload may run." },
        platformCharts: platformCharts(),
    },
    validate: ({ args, type, name, props, config, report }) => {
        const min = config.minReplicas;
        const fix = `set delivery:app.replicas (and delivery:app.autoscaling.min) to ${min} or more`;
        const check = (what: string, n: unknown, setting: string) => {
            if (typeof n === "number" && n < min) {
                report(`${what} runs ${n} replica${n === 1 ? "" : "s"} (${setting}), fewer than the production minimum of ${min}`, fix);
            }
        };
        if (isHelm(type)) {
            if (isPlatformRelease(props, config.platformCharts)) {
                return args.notApplicable(`${name} installs a platform chart`);
            }
            const v = valuesOf(props);
            if (read(v, "autoscaling", "enabled") === true) {
                check(describeRelease(name, props), read(v, "autoscaling", "minReplicas"), "values.autoscaling.minReplicas");
            } else {
                check(describeRelease(name, props), read(v, "replicaCount"), "values.replicaCount");
            }
        } else if (isHpa(type)) {
            check(`HorizontalPodAutoscaler ${name}`, read(props, "spec", "minReplicas") ?? 1, "spec.minReplicas");
        } else {
            check(describeWorkload(type, name), read(props, "spec", "replicas") ?? 1, "spec.replicas");
        }
    },
});

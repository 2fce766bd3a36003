import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { peek, read } from "../lib/props";
import { HELM_VALUES_TYPES, HPA, isHelmValues, isHpa, isReplicatedWorkload, WORKLOAD_TYPES } from "../lib/types";
import { describeRelease, describeWorkload, isPlatformRelease, namespaceOf, valuesHint, valuesOf } from "../lib/workloads";

export interface Params {
    readonly minReplicas: number;
    readonly platformCharts: string[];
}

const KIND_OF: Readonly<Record<string, string>> = { Deployment: "Deployment", StatefulSet: "StatefulSet", ReplicaSet: "ReplicaSet" };

/** The HPA that scales a workload (same namespace, scaleTargetRef kind and name). */
function autoscalerOf(w: PolicyResource, hpas: readonly PolicyResource[]): PolicyResource | undefined {
    const kind = KIND_OF[w.type.split(":").pop() ?? ""];
    const name = peek(w.props, "metadata", "name");
    return hpas.find((h) => namespaceOf(h.props) === namespaceOf(w.props)
        && peek(h.props, "spec", "scaleTargetRef", "kind") === kind && peek(h.props, "spec", "scaleTargetRef", "name") === name);
}

/** Production runs enough replicas to lose one (a node, a zone, a bad pod) without an outage. */
export const workloadReplicasMinimum = stackPolicy<Params>({
    name: "workload-replicas-minimum",
    description: "Production workloads run at least the configured minimum number of replicas: the rendered spec.replicas, or the floor of the autoscaler that scales them.",
    severity: "high",
    topics: ["workloads", "availability"],
    scope: "production",
    blocks: "production Deployments/StatefulSets (or the HPA scaling them) with fewer than `minReplicas` (default 3), whatever chart rendered them",
    remedy: "raise the replicas: delivery:app.replicas and delivery:app.autoscaling.min for the bundled chart, the chart's own value under delivery:values for other charts",
    resourceTypes: [...WORKLOAD_TYPES.filter((t) => !/(DaemonSet|Job|Pod)$/.test(t)), HPA, ...HELM_VALUES_TYPES],
    params: {
        minReplicas: { type: "integer", minimum: 1, default: 3, description: "Fewest replicas a production workload may run." },
        platformCharts: platformCharts(),
    },
    validate: ({ resources, config, report }) => {
        const min = config.minReplicas;
        const hpas = resources.filter((r) => isHpa(r.type));
        const fixFor = (r: PolicyResource, key: RegExp, n: number, bundled: string) => {
            const hint = valuesHint(resources, namespaceOf(r.props), key, n);
            return hint ? `raise ${hint} to ${min} or more` : `${bundled} to ${min} or more (or the chart's own replica value under delivery:values)`;
        };
        for (const r of resources) {
            if (isHelmValues(r.type)) {
                if (isPlatformRelease(r.props, config.platformCharts)) {
                    continue;
                }
                const v = valuesOf(r.props);
                const auto = read(v, "autoscaling", "enabled") === true;
                const n = auto ? read(v, "autoscaling", "minReplicas") : read(v, "replicaCount");
                if (typeof n === "number" && n < min) {
                    report(`${describeRelease(r.name, r.props)} runs ${n} replica${n === 1 ? "" : "s"} (values.${auto ? "autoscaling.minReplicas" : "replicaCount"}), fewer than the production minimum of ${min}`,
                        r, `set delivery:app.replicas (and delivery:app.autoscaling.min) to ${min} or more`);
                }
                continue;
            }
            if (!isReplicatedWorkload(r.type)) {
                continue;
            }
            const hpa = autoscalerOf(r, hpas);
            if (hpa) {
                const floor = peek(hpa.props, "spec", "minReplicas") ?? 1;
                if (typeof floor === "number" && floor < min) {
                    report(`${describeWorkload(r.type, r.name)} is scaled by HorizontalPodAutoscaler ${hpa.name} from ${floor} replica${floor === 1 ? "" : "s"} (spec.minReplicas), fewer than the production minimum of ${min}`,
                        hpa, fixFor(hpa, /min.*replica|replica.*min|^min$/i, floor, "set delivery:app.autoscaling.min"));
                }
                continue;
            }
            const n = peek(r.props, "spec", "replicas") ?? 1;
            if (typeof n === "number" && n < min) {
                report(`${describeWorkload(r.type, r.name)} runs ${n} replica${n === 1 ? "" : "s"} (spec.replicas${peek(r.props, "spec", "replicas") === undefined ? " not set: 1" : ""}), fewer than the production minimum of ${min}`,
                    r, fixFor(r, /replica|^count$|^size$/i, n, "set delivery:app.replicas"));
            }
        }
    },
});

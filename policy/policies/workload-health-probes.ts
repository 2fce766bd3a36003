import { resourcePolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { isSet } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isServingWorkload } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, isPlatformRelease, podSpecOf } from "../lib/workloads";

export interface Params {
    readonly platformCharts: string[];
}

const PROBE_KEYS = ["livenessProbe", "readinessProbe", "liveness", "readiness"];

/** A probe turned off in Helm values: null, false, or `{ enabled: false }`. */
function disabled(value: unknown): boolean {
    return value === null || value === false ||
        (typeof value === "object" && value !== null && (value as { enabled?: unknown }).enabled === false);
}

/** Kubernetes knows when to restart a container and when to send it traffic. */
export const workloadHealthProbes = resourcePolicy<Params>({
    name: "workload-health-probes",
    description: "Long-running containers have liveness and readiness probes; Helm values do not switch the chart's probes off.",
    severity: "medium",
    topics: ["workloads", "availability"],
    scope: "all",
    blocks: "serving containers without liveness/readiness probes, or probes disabled in Helm values",
    remedy: "add livenessProbe and readinessProbe to every serving container (the bundled chart defines both)",
    resourceTypes: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet", ...HELM_VALUES_TYPES],
    appliesTo: (t) => isServingWorkload(t) || isHelmValues(t),
    params: { platformCharts: platformCharts() },
    validate: ({ args, type, name, props, config, report }) => {
        if (isHelmValues(type)) {
            if (isPlatformRelease(props, config.platformCharts)) {
                return args.notApplicable(`${name} installs a platform chart`);
            }
            for (const f of findInValues(props, (k, v) => PROBE_KEYS.includes(k) && disabled(v))) {
                report(`${describeRelease(name, props)} switches a health probe off (${f.path}: ${JSON.stringify(f.value)})`,
                    "remove the override so the chart's liveness and readiness probes apply");
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props)).filter((x) => !x.init)) {
            const missing = ["livenessProbe", "readinessProbe"].filter((p) => !isSet(c.spec, p));
            if (missing.length > 0) {
                report(`${describeWorkload(type, name)} ${c.label} has no ${missing.join(" or ")}`);
            }
        }
    },
});

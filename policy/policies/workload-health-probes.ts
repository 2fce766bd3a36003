import { resourcePolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { isSet, peek } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isServingWorkload } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, isPlatformRelease, podSpecOf } from "../lib/workloads";

export interface Params {
    readonly platformCharts: string[];
    readonly maxLivenessSeconds: number;
}

/** Seconds before a liveness probe can first restart a hung container: initialDelaySeconds + periodSeconds × failureThreshold (Kubernetes defaults 0, 10, 3). */
function firstRestartAfter(probe: unknown): number | undefined {
    const n = (key: string, fallback: number) => {
        const v = peek(probe, key);
        return typeof v === "number" ? v : v === undefined || v === null ? fallback : undefined;
    };
    const delay = n("initialDelaySeconds", 0);
    const period = n("periodSeconds", 10);
    const failures = n("failureThreshold", 3);
    return delay === undefined || period === undefined || failures === undefined ? undefined : delay + period * failures;
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
    blocks: "serving containers without liveness/readiness probes, probes disabled in Helm values, or a liveness probe timed so it cannot restart a hung container for longer than `maxLivenessSeconds`",
    remedy: "add livenessProbe and readinessProbe to every serving container (the bundled chart defines both)",
    resourceTypes: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet", ...HELM_VALUES_TYPES],
    appliesTo: (t) => isServingWorkload(t) || isHelmValues(t),
    params: {
        platformCharts: platformCharts(),
        maxLivenessSeconds: { type: "integer", minimum: 60, default: 900, description: "Longest a liveness probe may take to first restart a hung container (initialDelaySeconds + periodSeconds × failureThreshold) before it counts as switched off." },
    },
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
            const after = isSet(c.spec, "livenessProbe") ? firstRestartAfter(peek(c.spec, "livenessProbe")) : undefined;
            if (after !== undefined && after > config.maxLivenessSeconds) {
                report(`${describeWorkload(type, name)} ${c.label} has a liveness probe that could first restart it after ${after}s (initialDelaySeconds + periodSeconds × failureThreshold), more than ${config.maxLivenessSeconds}s: it is as good as off`,
                    "keep the chart's probe timings (delivery:values probes.liveness): a hung container is restarted within minutes");
            }
        }
    },
});

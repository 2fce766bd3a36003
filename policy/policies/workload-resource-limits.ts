import { resourcePolicy } from "../lib/define";
import { platformCharts } from "../lib/params";
import { isSet, peek } from "../lib/props";
import { quantity } from "../lib/quantity";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, isPlatformRelease, podSpecOf, valuesOf } from "../lib/workloads";

export interface Params {
    readonly platformCharts: string[];
}

const AMOUNTS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

function missing(resources: unknown): string[] {
    return AMOUNTS.filter((a) => !isSet(resources, ...a.split(".")));
}

/** A quantity of 0 is no amount at all: a limit of 0 is no limit (no CPU quota, no memory cap), a request of 0 reserves nothing. */
function zero(resources: unknown): string[] {
    return AMOUNTS.filter((a) => quantity(peek(resources, ...a.split(".")), a.endsWith("cpu") ? "cpu" : "memory") === 0);
}

/** Every container declares what it needs and what it may use. */
export const workloadResourceLimits = resourcePolicy<Params>({
    name: "workload-resource-limits",
    description: "Containers set CPU and memory requests and limits, so the scheduler can place them and one pod cannot starve the node.",
    severity: "medium",
    topics: ["workloads", "capacity"],
    scope: "all",
    blocks: "containers (or app Helm values) without CPU/memory requests and limits, or with 0 for any of them (a limit of 0 is no limit)",
    remedy: "set delivery:app.resources.requests and delivery:app.resources.limits (cpu and memory)",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    params: { platformCharts: platformCharts() },
    validate: ({ args, type, name, props, config, report }) => {
        if (isHelmValues(type)) {
            if (isPlatformRelease(props, config.platformCharts)) {
                return args.notApplicable(`${name} installs a platform chart`);
            }
            const resources = valuesOf(props).resources;
            const gaps = missing(resources);
            if (gaps.length > 0) {
                report(`${describeRelease(name, props)} sets no ${gaps.map((g) => `values.resources.${g}`).join(", ")}`);
            }
            const zeros = zero(resources);
            if (zeros.length > 0) {
                report(`${describeRelease(name, props)} sets ${zeros.map((g) => `values.resources.${g}`).join(", ")} to 0, which is none at all`);
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            const gaps = missing(c.spec.resources);
            if (gaps.length > 0) {
                report(`${describeWorkload(type, name)} ${c.label} sets no resources.${gaps.join(", resources.")}`,
                    "set resources.requests and resources.limits (cpu and memory) on every container");
            }
            const zeros = zero(c.spec.resources);
            if (zeros.length > 0) {
                report(`${describeWorkload(type, name)} ${c.label} sets resources.${zeros.join(", resources.")} to 0, which is none at all (a limit of 0 is no limit)`,
                    "set non-zero resources.requests and resources.limits (cpu and memory) on every container");
            }
        }
    },
});

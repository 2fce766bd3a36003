import { resourcePolicy } from "../lib/define";
import { read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

/** Containers never run as root. */
export const workloadRunAsNonRoot = resourcePolicy({
    name: "workload-run-as-non-root",
    description: "Containers run as a non-root user: runAsNonRoot is true (pod or container) and no runAsUser is 0.",
    severity: "high",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "containers that may run as root (runAsNonRoot unset/false, runAsUser 0)",
    remedy: "set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => (k === "runAsNonRoot" && v === false) || ((k === "runAsUser" || k === "runAsGroup") && v === 0))) {
                report(`${describeRelease(name, props)} lets containers run as root (${f.path}: ${JSON.stringify(f.value)})`);
            }
            return;
        }
        const spec = podSpecOf(type, props);
        const podNonRoot = read(spec, "securityContext", "runAsNonRoot");
        const podUser = read(spec, "securityContext", "runAsUser");
        for (const c of containersOf(spec)) {
            const nonRoot = read(c.spec, "securityContext", "runAsNonRoot") ?? podNonRoot;
            const user = read(c.spec, "securityContext", "runAsUser") ?? podUser;
            if (user === 0) {
                report(`${describeWorkload(type, name)} ${c.label} runs as root (runAsUser: 0)`);
            } else if (nonRoot !== true) {
                report(`${describeWorkload(type, name)} ${c.label} may run as root (runAsNonRoot is ${nonRoot === undefined ? "unset" : JSON.stringify(nonRoot)} on the container and the pod)`);
            }
        }
    },
});

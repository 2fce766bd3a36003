import { resourcePolicy } from "../lib/define";
import { read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

/** An attacker in a container cannot change its binaries. */
export const workloadReadOnlyRootFilesystem = resourcePolicy({
    name: "workload-read-only-root-filesystem",
    description: "Containers mount their root filesystem read-only (writable paths come from emptyDir volumes).",
    severity: "medium",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "containers with a writable root filesystem (readOnlyRootFilesystem unset/false)",
    remedy: "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => k === "readOnlyRootFilesystem" && v === false)) {
                report(`${describeRelease(name, props)} makes the root filesystem writable (${f.path}: false)`);
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            const v = read(c.spec, "securityContext", "readOnlyRootFilesystem");
            if (v !== true) {
                report(`${describeWorkload(type, name)} ${c.label} has a writable root filesystem (securityContext.readOnlyRootFilesystem is ${v === undefined ? "unset" : JSON.stringify(v)})`);
            }
        }
    },
});

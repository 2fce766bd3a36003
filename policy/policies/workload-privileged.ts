import { resourcePolicy } from "../lib/define";
import { list, read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

/** Capabilities that amount to root on the node. */
export const DANGEROUS_CAPABILITIES = ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "BPF", "PERFMON", "DAC_READ_SEARCH"];

const dangerous = (caps: unknown[]) => caps.filter((c) => typeof c === "string" && DANGEROUS_CAPABILITIES.includes(c.toUpperCase().replace(/^CAP_/, "")));

/** No container gets the node's privileges. */
export const workloadPrivileged = resourcePolicy({
    name: "workload-privileged",
    description: "Containers are not privileged and add no capability that amounts to root on the node (SYS_ADMIN, NET_ADMIN, ALL…).",
    severity: "critical",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "privileged containers and node-level capabilities, in pod specs or Helm values",
    remedy: "remove securityContext.privileged and the added capabilities; drop ALL capabilities instead",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => k === "privileged" && v === true)) {
                report(`${describeRelease(name, props)} runs privileged containers (${f.path}: true)`);
            }
            for (const f of findInValues(props, (k, v) => k === "add" && Array.isArray(v))) {
                const bad = f.path.includes("apabilities") ? dangerous(f.value as unknown[]) : [];
                if (bad.length > 0) {
                    report(`${describeRelease(name, props)} adds ${bad.join(", ")} (${f.path})`);
                }
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            if (read(c.spec, "securityContext", "privileged") === true) {
                report(`${describeWorkload(type, name)} ${c.label} is privileged (securityContext.privileged: true)`);
            }
            const bad = dangerous(list(c.spec, "securityContext", "capabilities", "add"));
            if (bad.length > 0) {
                report(`${describeWorkload(type, name)} ${c.label} adds ${bad.join(", ")} (securityContext.capabilities.add)`);
            }
        }
    },
});

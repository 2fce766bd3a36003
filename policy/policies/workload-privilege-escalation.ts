import { resourcePolicy } from "../lib/define";
import { read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

/** No process gains more privileges than its parent (setuid binaries, file capabilities). */
export const workloadPrivilegeEscalation = resourcePolicy({
    name: "workload-privilege-escalation",
    description: "Containers set allowPrivilegeEscalation: false (Kubernetes allows escalation when it is unset).",
    severity: "high",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "containers that may escalate privileges (allowPrivilegeEscalation unset or true; true in Helm values)",
    remedy: "set securityContext.allowPrivilegeEscalation: false on every container",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => k === "allowPrivilegeEscalation" && v === true)) {
                report(`${describeRelease(name, props)} allows privilege escalation (${f.path}: true)`);
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            const v = read(c.spec, "securityContext", "allowPrivilegeEscalation");
            if (v !== false) {
                report(`${describeWorkload(type, name)} ${c.label} may escalate privileges (securityContext.allowPrivilegeEscalation is ${v === undefined ? "unset" : JSON.stringify(v)})`);
            }
        }
    },
});

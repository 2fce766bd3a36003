import { resourcePolicy } from "../lib/define";
import { list, peek, read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"];

/** Pods stay in their own network, process and IPC namespaces and off the node's filesystem. */
export const workloadHostNamespaces = resourcePolicy({
    name: "workload-host-namespaces",
    description: "Pods do not share the node's network, PID or IPC namespace and mount no hostPath volume.",
    severity: "critical",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "hostNetwork / hostPID / hostIPC and hostPath volumes, in pod specs or Helm values",
    remedy: "remove hostNetwork, hostPID, hostIPC and hostPath volumes from the pod",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => HOST_NAMESPACES.includes(k) && v === true)) {
                report(`${describeRelease(name, props)} shares the node's namespace (${f.path}: true)`);
            }
            return;
        }
        const spec = podSpecOf(type, props);
        for (const key of HOST_NAMESPACES) {
            if (read(spec, key) === true) {
                report(`${describeWorkload(type, name)} shares the node's namespace (${key}: true)`);
            }
        }
        for (const v of list(spec, "volumes")) {
            if (peek(v, "hostPath") !== undefined) {
                report(`${describeWorkload(type, name)} mounts the node's filesystem (volume ${String(peek(v, "name"))} is a hostPath)`,
                    "use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath");
            }
        }
    },
});

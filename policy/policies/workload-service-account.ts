import { resourcePolicy } from "../lib/define";
import { peek } from "../lib/props";
import { isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { describeWorkload, podSpecOf } from "../lib/workloads";

/** Production pods run as their own service account and mount no API token they do not ask for. */
export const workloadServiceAccount = resourcePolicy({
    name: "workload-service-account",
    description: "Production pods run as a service account of their own (never the namespace's `default`), and the default one never mounts an API token.",
    severity: "medium",
    topics: ["workloads", "identity"],
    scope: "production",
    blocks: "production pods on the `default` service account, or mounting its token",
    remedy: "give the chart a service account of its own (serviceAccountName) and set automountServiceAccountToken: false unless the pod calls the API",
    resourceTypes: WORKLOAD_TYPES,
    appliesTo: isWorkload,
    validate: ({ type, name, props, report }) => {
        const pod = podSpecOf(type, props);
        if (pod === undefined) {
            return;
        }
        const sa = peek(pod, "serviceAccountName") ?? peek(pod, "serviceAccount");
        if (sa === undefined || sa === "" || sa === "default") {
            const mount = peek(pod, "automountServiceAccountToken");
            report(`${describeWorkload(type, name)} runs as the namespace's default service account${mount === false ? "" : " and mounts its API token (automountServiceAccountToken is not false)"}`);
        }
    },
});

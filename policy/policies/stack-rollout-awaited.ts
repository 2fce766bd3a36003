import { stackPolicy } from "../lib/define";
import { stringMap } from "../lib/props";
import { isRecord, recordField } from "../lib/record";
import { CONFIG_MAP, WORKLOAD_TYPES } from "../lib/types";
import { describeWorkload } from "../lib/workloads";

/** The annotation that tells the Kubernetes provider not to wait for an object to become ready. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/**
 * A production release is deployed only by an update that waits for it: the release record says
 * whether the update waited (verification `passed`) or nothing did (`pending`, delivery:helm.wait
 * false), and no workload carries the provider's skipAwait annotation. Without the wait a rollout
 * whose pods never become ready still "succeeds", and the stack advertises it to the next one.
 */
export const stackRolloutAwaited = stackPolicy({
    name: "stack-rollout-awaited",
    description: "Production updates wait for every workload of the release to become ready before they succeed and record it.",
    severity: "high",
    topics: ["promotion", "availability"],
    scope: "production",
    blocks: "production releases recorded as deployed without waiting (verification pending: delivery:helm.wait false), and workloads annotated pulumi.com/skipAwait",
    remedy: "keep delivery:helm.wait: true (the default) and no pulumi.com/skipAwait annotation on workloads",
    resourceTypes: [CONFIG_MAP, ...WORKLOAD_TYPES],
    validate: ({ resources, report }) => {
        for (const r of resources.filter((x) => isRecord(x))) {
            const raw = recordField(r.props, "verification");
            let status: unknown;
            try {
                status = raw === "" ? undefined : (JSON.parse(raw) as { status?: unknown }).status;
            } catch {
                status = undefined;
            }
            if (status === "pending") {
                report(`the release recorded in ${r.name} (${recordField(r.props, "version")}) is deployed without waiting for its rollout (verification pending): a release whose pods never become ready would still succeed`, r);
            }
        }
        for (const w of resources.filter((x) => WORKLOAD_TYPES.includes(x.type))) {
            if (String(stringMap(w.props, "metadata", "annotations")[SKIP_AWAIT] ?? "").toLowerCase() === "true") {
                report(`${describeWorkload(w.type, w.name)} has ${SKIP_AWAIT}: "true": the update would not wait for it to become ready`, w);
            }
        }
    },
});

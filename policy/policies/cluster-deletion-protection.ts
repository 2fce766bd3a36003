import { describeCluster, kindOf } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { read } from "../lib/props";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

/** A production cluster cannot be deleted by a mistaken `pulumi up` or `destroy`. */
export const clusterDeletionProtection = resourcePolicy({
    name: "cluster-deletion-protection",
    description: "Production clusters are protected: the `protect` resource option is set and the cloud's own deletion protection is not switched off.",
    severity: "critical",
    topics: ["cluster", "lifecycle"],
    scope: "production",
    blocks: "a production cluster without `protect` (or with the cloud's deletion protection off)",
    remedy: "set delivery:cluster.protect: true",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    validate: ({ args, type, name, props, report }) => {
        const what = describeCluster(type, name);
        if (args.opts.protect !== true) {
            report(`${what} is not protected (resource option protect is not set), so a replace or destroy would delete it`);
        }
        // EKS and GKE have their own switch; a false there lets the cloud API delete the cluster.
        if (kindOf(type) !== "AKS" && read(props, "deletionProtection") === false) {
            report(`${what} turns the cloud's deletion protection off (deletionProtection: false)`);
        }
    },
});

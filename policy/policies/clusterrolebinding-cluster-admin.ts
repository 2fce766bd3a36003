import { resourcePolicy } from "../lib/define";
import { list, peek, read } from "../lib/props";
import { CLUSTER_ROLE_BINDING, isRoleBinding, ROLE_BINDING } from "../lib/types";

/** Cluster roles that hand over the whole cluster (or a namespace's RBAC, which escalates). */
export const ADMIN_ROLES = ["cluster-admin"];

/** Nothing this program deploys is bound to cluster-admin. */
export const clusterrolebindingClusterAdmin = resourcePolicy({
    name: "clusterrolebinding-cluster-admin",
    description: "No ClusterRoleBinding or RoleBinding grants the cluster-admin ClusterRole; bind a role with only the permissions needed.",
    severity: "critical",
    topics: ["rbac", "identity"],
    scope: "all",
    blocks: "bindings to cluster-admin",
    remedy: "bind a (Cluster)Role with only the verbs and resources the subject needs",
    resourceTypes: [CLUSTER_ROLE_BINDING, ROLE_BINDING],
    appliesTo: isRoleBinding,
    validate: ({ type, name, props, report }) => {
        const role = read(props, "roleRef", "name");
        if (read(props, "roleRef", "kind") === "ClusterRole" && ADMIN_ROLES.includes(role)) {
            const subjects = list(props, "subjects").map((s) => `${String(peek(s, "kind"))} ${String(peek(s, "name"))}`).join(", ") || "no subjects";
            report(`${type.split(":").pop()} ${name} grants ${role} to ${subjects}`);
        }
    },
});

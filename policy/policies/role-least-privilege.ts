import { resourcePolicy } from "../lib/define";
import { list } from "../lib/props";
import { CLUSTER_ROLE, isRole, ROLE } from "../lib/types";

/** Verbs that let a subject grant itself more than it has. */
export const ESCALATING_VERBS = ["escalate", "bind", "impersonate"];

/** Roles a chart renders grant named verbs on named resources. */
export const roleLeastPrivilege = resourcePolicy({
    name: "role-least-privilege",
    description: "Roles and ClusterRoles grant no wildcard verbs, resources (`*`, `pods/*`, `*/scale`), API groups or non-resource URLs, and no escalate, bind or impersonate.",
    severity: "high",
    topics: ["rbac", "security"],
    scope: "all",
    blocks: "Roles/ClusterRoles with `*` in verbs, resources, apiGroups or nonResourceURLs, or the escalate/bind/impersonate verbs",
    remedy: "list the verbs, resources and API groups the workload needs; never grant escalate, bind or impersonate to an application",
    resourceTypes: [ROLE, CLUSTER_ROLE],
    appliesTo: isRole,
    validate: ({ type, name, props, report }) => {
        const kind = type.split(":").pop();
        list(props, "rules").forEach((rule, i) => {
            for (const field of ["verbs", "resources", "apiGroups", "nonResourceURLs"]) {
                // RBAC matches `*` alone, and inside resources (`pods/*`, `*/scale`) and URLs (`/apis/*`) too.
                const wild = list(rule, field).filter((v) => typeof v === "string" && (v === "*" || (field !== "verbs" && field !== "apiGroups" && v.includes("*"))));
                for (const w of wild) {
                    report(`${kind} ${name} rule ${i} grants ${JSON.stringify(w)} in ${field}`);
                }
            }
            const bad = list(rule, "verbs").filter((v) => typeof v === "string" && ESCALATING_VERBS.includes(v));
            if (bad.length > 0) {
                report(`${kind} ${name} rule ${i} grants ${bad.join(", ")}, which let a subject raise its own privileges`);
            }
        });
    },
});

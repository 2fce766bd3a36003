import { check, fails, pack, passes, resource } from "../fixtures";

const policy = pack("role-least-privilege");
const role = (rules: object[], kind = "Role") => resource(`kubernetes:rbac.authorization.k8s.io/v1:${kind}`, "api", { metadata: { name: "api", namespace: "storefront-prod" }, rules });
const REMEDY = "Remedy: list the verbs, resources and API groups the workload needs; never grant escalate, bind or impersonate to an application.";

describe("role-least-privilege", () => {
    it("passes a role with named verbs and resources", async () => {
        passes(await check(policy, role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }])));
    });

    it("fails wildcards and escalating verbs", async () => {
        fails(await check(policy, role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"] }], "ClusterRole")),
            `ClusterRole api rule 0 grants "*" in verbs. ${REMEDY}`,
            `ClusterRole api rule 0 grants "*" in resources. ${REMEDY}`,
            `ClusterRole api rule 0 grants "*" in apiGroups. ${REMEDY}`,
            `ClusterRole api rule 1 grants bind, escalate, which let a subject raise its own privileges. ${REMEDY}`);
    });

    it("fails wildcards inside resource names and non-resource URLs", async () => {
        fails(await check(policy, role([{ apiGroups: [""], resources: ["pods/*", "configmaps"], verbs: ["get"] }, { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["update"] }, { nonResourceURLs: ["/apis/*", "/healthz"], verbs: ["get"] }], "ClusterRole")),
            `ClusterRole api rule 0 grants "pods/*" in resources. ${REMEDY}`,
            `ClusterRole api rule 1 grants "*/scale" in resources. ${REMEDY}`,
            `ClusterRole api rule 2 grants "/apis/*" in nonResourceURLs. ${REMEDY}`);
        passes(await check(policy, role([{ nonResourceURLs: ["/healthz", "/metrics"], verbs: ["get"] }], "ClusterRole")));
    });
});

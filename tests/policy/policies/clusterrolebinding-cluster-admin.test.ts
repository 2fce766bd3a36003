import { check, fails, pack, passes, resource } from "../fixtures";

const policy = pack("clusterrolebinding-cluster-admin");
const REMEDY = "Remedy: bind a (Cluster)Role with only the verbs and resources the subject needs.";
const binding = (kind: "ClusterRoleBinding" | "RoleBinding", role: string) =>
    resource(`kubernetes:rbac.authorization.k8s.io/v1:${kind}`, "reviewer", {
        metadata: { name: "vault-token-reviewer", ...(kind === "RoleBinding" ? { namespace: "storefront-prod" } : {}) },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: "vault-token-reviewer", namespace: "vault-auth" }],
    });

describe("clusterrolebinding-cluster-admin", () => {
    it("passes a binding to a narrow role (Vault's token reviewer)", async () => {
        passes(await check(policy, binding("ClusterRoleBinding", "system:auth-delegator")));
    });

    it("fails a ClusterRoleBinding to cluster-admin", async () => {
        fails(await check(policy, binding("ClusterRoleBinding", "cluster-admin")),
            `ClusterRoleBinding reviewer grants cluster-admin to ServiceAccount vault-token-reviewer. ${REMEDY}`);
    });

    it("fails a RoleBinding to the cluster-admin ClusterRole", async () => {
        fails(await check(policy, binding("RoleBinding", "cluster-admin")),
            `RoleBinding reviewer grants cluster-admin to ServiceAccount vault-token-reviewer. ${REMEDY}`);
    });
});

import { allowSameNamespace, checkStack, defaultDeny, esoNamespace, fails, namespace, pack, passes, release } from "../fixtures";

const policy = pack("namespace-default-deny");
const REMEDY = "Remedy: keep the AppNamespace component's default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules).";

describe("namespace-default-deny", () => {
    it("passes the app namespace with default-deny (and its allows); platform namespaces are exempt", async () => {
        passes(await checkStack(policy, [namespace(), defaultDeny(), allowSameNamespace(), release(), esoNamespace()]));
    });

    it("fails an app namespace without a default-deny policy", async () => {
        fails(await checkStack(policy, [namespace(), allowSameNamespace()]),
            `Namespace storefront-prod (labelled app.kubernetes.io/part-of) has no default-deny NetworkPolicy: every pod accepts and opens any connection. ${REMEDY}`);
    });

    it("fails a default-deny that covers ingress only", async () => {
        fails(await checkStack(policy, [namespace(), defaultDeny({ spec: { podSelector: {}, policyTypes: ["Ingress"] } })]),
            "Namespace storefront-prod denies ingress by default but not egress. Remedy: add Egress to the default-deny policy's policyTypes.");
    });

    it("does not count a policy that selects only some pods", async () => {
        const some = defaultDeny({ spec: { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress", "Egress"] } });
        fails(await checkStack(policy, [namespace(), some]),
            `Namespace storefront-prod (labelled app.kubernetes.io/part-of) has no default-deny NetworkPolicy: every pod accepts and opens any connection. ${REMEDY}`);
    });
});

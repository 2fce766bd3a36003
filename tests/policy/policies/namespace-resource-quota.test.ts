import { checkStack, esoNamespace, esoRelease, fails, namespace, pack, passes, quota, release, releaseInputs, change, resource, NAMESPACE } from "../fixtures";

const policy = pack("namespace-resource-quota");
const REMEDY = "Remedy: keep the AppNamespace component's quota (delivery:namespace.quota) for the namespace.";

describe("namespace-resource-quota", () => {
    it("passes the app namespace with its quota; platform namespaces are exempt", async () => {
        passes(await checkStack(policy, [namespace(), quota(), release(), esoNamespace(), esoRelease()]));
    });

    it("fails the app namespace without a ResourceQuota", async () => {
        fails(await checkStack(policy, [namespace(), release()]),
            `Namespace storefront-prod (labelled app.kubernetes.io/part-of) has no ResourceQuota. ${REMEDY}`);
    });

    it("fails a namespace a release deploys into when no quota covers it", async () => {
        fails(await checkStack(policy, [namespace(), quota(), release(change(releaseInputs(), "namespace", "storefront-canary"))]),
            `Namespace storefront-canary (Helm release storefront-helm runs there) has no ResourceQuota. ${REMEDY}`);
    });

    it("fails a quota that does not cap memory", async () => {
        fails(await checkStack(policy, [namespace(), quota({ spec: { hard: { "requests.cpu": "16", pods: "40" } } })]),
            "Namespace storefront-prod has a ResourceQuota that does not cap memory (spec.hard.requests.memory). Remedy: set requests.cpu, requests.memory, limits.cpu and limits.memory in the quota's spec.hard.");
    });

    it("ignores namespaces that hold no app (e.g. Vault's token reviewer)", async () => {
        const reviewer = resource(NAMESPACE, "reviewer-ns", { metadata: { name: "vault-auth-storefront-prod", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
        passes(await checkStack(policy, [namespace(), quota(), reviewer]));
    });
});

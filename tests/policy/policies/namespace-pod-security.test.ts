import { esoNamespace, change, check, fails, namespace, namespaceInputs, notApplicable, pack, passes, resource, NAMESPACE } from "../fixtures";

const policy = pack("namespace-pod-security");
const REMEDY = "Remedy: set delivery:namespace.podSecurity: restricted.";
const withLabels = (labels: Record<string, string>) => change(namespaceInputs(), "metadata.labels", labels);

describe("namespace-pod-security", () => {
    it("passes production namespaces that enforce restricted", async () => {
        passes(await check(policy, namespace()));
        passes(await check(policy, esoNamespace()));
    });

    it("fails a production namespace on baseline", async () => {
        fails(await check(policy, namespace(withLabels({ "delivery.example.com/environment": "production", "pod-security.kubernetes.io/enforce": "baseline" }))),
            `Namespace storefront-prod enforces Pod Security "baseline", below "restricted". ${REMEDY}`);
    });

    it("fails a production namespace without the enforce label", async () => {
        fails(await check(policy, namespace(withLabels({ "delivery.example.com/environment": "production" }))),
            `Namespace storefront-prod enforces no Pod Security Standard (label pod-security.kubernetes.io/enforce is missing). ${REMEDY}`);
    });

    it("takes the required level from policy config", async () => {
        passes(await check(policy, namespace(withLabels({ "pod-security.kubernetes.io/enforce": "baseline" })), { level: "baseline" }));
    });

    it("exempts the control plane's namespaces and does not apply outside production", async () => {
        notApplicable(await check(policy, resource(NAMESPACE, "ks", { metadata: { name: "kube-system" } })), "kube-system is exempt");
        notApplicable(await check(policy, namespace(withLabels({ "delivery.example.com/environment": "development", "pod-security.kubernetes.io/enforce": "baseline" }), { stack: "dev" })), "production only");
    });
});

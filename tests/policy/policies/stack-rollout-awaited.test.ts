import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("stack-rollout-awaited");
const REMEDY = "Remedy: keep delivery:helm.wait: true (the default) and no pulumi.com/skipAwait annotation on workloads.";
const NS = "storefront-prod";

const record = (status: string, stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } },
    data: { version: "1.8.3", verification: JSON.stringify({ at: "2026-12-01T10:00:00Z", checked: status === "passed" ? ["every rendered workload rolled out and ready"] : [], status }) },
}, { stack });
const deployment = (annotations: Record<string, string> = {}) => resource("kubernetes:apps/v1:Deployment", "storefront", {
    metadata: { name: "storefront", namespace: NS, annotations }, spec: { template: { spec: { containers: [{ name: "app", image: "ghcr.io/acme/storefront:1.8.3" }] } } },
}, { stack: "prod" });

describe("stack-rollout-awaited", () => {
    it("passes a release whose update waited for it", async () => {
        passes(await checkStack(policy, [record("passed"), deployment()]));
    });

    it("fails a release recorded as deployed without waiting (helm.wait false)", async () => {
        fails(await checkStack(policy, [record("pending"), deployment()]),
            `the release recorded in storefront-record (1.8.3) is deployed without waiting for its rollout (verification pending): a release whose pods never become ready would still succeed. ${REMEDY}`);
    });

    it("fails a workload the provider is told not to wait for", async () => {
        fails(await checkStack(policy, [record("passed"), deployment({ "pulumi.com/skipAwait": "true" })]),
            `Deployment storefront has pulumi.com/skipAwait: "true": the update would not wait for it to become ready. ${REMEDY}`);
    });

    it("does not apply to staging", async () => {
        notApplicable(await checkStack(policy, [record("pending", "staging")]), "applies to production only");
    });
});

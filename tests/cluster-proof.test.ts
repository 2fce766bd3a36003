/**
 * Production proves its cluster is production's: a borrowed cluster through the owning stack's own
 * environment output, an existing cluster through the marker its owners keep in it.
 */
import { strict as assert } from "assert";
import { asUpstream, cfg, one, rejects, runChain, runStack, NO_DNS } from "./harness";

const EXISTING = {
    ...NO_DNS, ...cfg("cluster", { provider: "existing", kubeconfigPath: "/dev/null" }),
    // An existing cluster has no OIDC provider created here: the store names its role.
    ...cfg("secrets", { stores: [{ provider: "aws", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/eso-storefront" }] }),
};

async function withMarker<T>(env: string | undefined, f: () => Promise<T>): Promise<T> {
    if (env === undefined) {
        delete process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT;
    } else {
        process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT = env;
    }
    try {
        return await f();
    } finally {
        delete process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT;
    }
}

describe("production proves its cluster", () => {
    it("refuses an existing cluster without the production marker, or with another environment's", async () => {
        await withMarker(undefined, () => rejects(runChain("prod", [EXISTING]),
            'stack "prod" is production on an existing cluster (delivery:cluster.provider: existing) whose ConfigMap kube-system/delivery-cluster says nothing',
            "create configmap delivery-cluster --from-literal=environment=production"));
        await withMarker("staging", () => rejects(runChain("prod", [EXISTING]), 'says environment "staging"'));
    });

    it("accepts an existing cluster its owners mark as production, reading the marker through the cluster's provider", async () => {
        const { target } = await withMarker("production", () => runChain("prod", [EXISTING]));
        const marker = target.resources.find((r) => r.read && r.type === "kubernetes:core/v1:ConfigMap");
        assert.ok(marker, "the marker is read from the cluster");
        assert.match(marker.provider, /pulumi:providers:kubernetes::delivery-prod-k8s::/);
    });

    it("does not ask dev or staging for a marker", async () => {
        const dev = await withMarker(undefined, () => runStack("dev", EXISTING));
        assert.equal(dev.resources.filter((r) => r.read && r.type === "kubernetes:core/v1:ConfigMap").length, 0);
    });

    it("refuses a borrowed cluster whose owning stack is not production, whatever its name says", async () => {
        const staging = (await runChain("staging")).target;
        const platform = { ...asUpstream(staging), cluster: { name: "delivery-platform", kubeconfig: "{}", identity: { kind: "none" } } };
        await rejects(runChain("prod", [NO_DNS, cfg("cluster", { provider: "stack", stack: "organization/delivery/prod-platform" })], { "organization/delivery/prod-platform": platform }),
            'stack "prod" is production and borrows the cluster of organization/delivery/prod-platform (delivery:cluster.stack), which is a staging stack');
        void one;
    });
});

import {
    AKS_AGENT_POOL, aks, aksInputs, change, check, eksNodeGroup, eksNodeGroupInputs, fails, gkeNodePool, gkeNodePoolInputs, notApplicable, pack,
    passes, resource,
} from "../fixtures";

const policy = pack("nodepool-minimum-size");
const REMEDY = "Remedy: set delivery:cluster.nodes.min to 3 or more.";

describe("nodepool-minimum-size", () => {
    it("passes production pools of 3 nodes on EKS, GKE and AKS", async () => {
        passes(await check(policy, eksNodeGroup()));
        passes(await check(policy, gkeNodePool()));
        passes(await check(policy, aks()));
    });

    it("fails an EKS node group that may shrink to one node", async () => {
        fails(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "scalingConfig.minSize", 1))),
            `EKS node group delivery-prod-nodes may run on 1 node (scalingConfig.minSize), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("fails a GKE pool whose total minimum is 2", async () => {
        fails(await check(policy, gkeNodePool(change(gkeNodePoolInputs(), "autoscaling.totalMinNodeCount", 2))),
            `GKE node pool delivery-prod-pool may run on 2 nodes (autoscaling.totalMinNodeCount), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("multiplies a GKE per-zone minimum by the pool's zones", async () => {
        const perZone = change(gkeNodePoolInputs(), "autoscaling", { minNodeCount: 1, maxNodeCount: 3 });
        passes(await check(policy, gkeNodePool(change(perZone, "nodeLocations", ["europe-west1-b", "europe-west1-c", "europe-west1-d"]))));
        fails(await check(policy, gkeNodePool(change(perZone, "nodeLocations", ["europe-west1-b", "europe-west1-c"]))),
            `GKE node pool delivery-prod-pool may run on 2 nodes (autoscaling.totalMinNodeCount), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("fails an AKS pool that autoscales down to one node", async () => {
        fails(await check(policy, aks(change(aksInputs(), "agentPoolProfiles[0].minCount", 1))),
            `AKS pool system of cluster delivery-prod-aks may run on 1 node (minCount), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("reads a fixed-size AKS agent pool's count", async () => {
        fails(await check(policy, resource(AKS_AGENT_POOL, "pool", { count: 2, availabilityZones: ["1", "2", "3"], tags: { environment: "production" } })),
            `AKS agent pool pool may run on 2 nodes (count), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("takes the minimum from policy config", async () => {
        passes(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "scalingConfig.minSize", 2)), { minNodes: 2 }));
    });

    it("does not apply outside production", async () => {
        const dev = change(change(eksNodeGroupInputs(), "scalingConfig.minSize", 1), "tags.environment", "development");
        notApplicable(await check(policy, eksNodeGroup(dev, { stack: "dev" })), "production only; delivery-prod-nodes is development");
    });
});

import {
    UNKNOWN_STRING, aks, aksInputs, change, check, eksNodeGroup, eksNodeGroupInputs, fails, gke, gkeInputs, gkeNodePool, gkeNodePoolInputs,
    notApplicable, pack, passes,
} from "../fixtures";

const policy = pack("cluster-zone-redundancy");
const REMEDY = "Remedy: list at least 2 zones in delivery:cluster.zones.";

describe("cluster-zone-redundancy", () => {
    it("passes nodes spread over three zones on EKS, GKE (regional) and AKS", async () => {
        passes(await check(policy, eksNodeGroup()));
        passes(await check(policy, gke()));
        passes(await check(policy, gkeNodePool()));
        passes(await check(policy, aks()));
    });

    it("counts EKS subnets even when their ids are unknown during preview", async () => {
        passes(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "subnetIds", [UNKNOWN_STRING, UNKNOWN_STRING, UNKNOWN_STRING]))));
    });

    it("fails an EKS node group in one subnet (zone)", async () => {
        fails(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "subnetIds", ["delivery-prod-private-0-id"]))),
            `EKS node group delivery-prod-nodes spreads over 1 zone (subnetIds), fewer than 2. ${REMEDY}`);
    });

    it("fails a zonal GKE cluster", async () => {
        fails(await check(policy, gke(change(change(gkeInputs(), "location", "europe-west1-b"), "nodeLocations", undefined))),
            `GKE cluster delivery-prod-gke places its nodes in 1 zone (location "europe-west1-b"), fewer than 2. ${REMEDY}`);
    });

    it("fails a GKE node pool pinned to one zone", async () => {
        fails(await check(policy, gkeNodePool(change(gkeNodePoolInputs(), "nodeLocations", ["europe-west1-b"]))),
            `GKE node pool delivery-prod-pool spreads over 1 zone (nodeLocations), fewer than 2. ${REMEDY}`);
    });

    it("fails an AKS pool without availability zones", async () => {
        fails(await check(policy, aks(change(aksInputs(), "agentPoolProfiles[0].availabilityZones", undefined))),
            `AKS pool system of cluster delivery-prod-aks spreads over 1 zone (availabilityZones), fewer than 2. ${REMEDY}`);
    });

    it("takes the number of zones from policy config", async () => {
        fails(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "subnetIds", ["a", "b"])), { minZones: 3 }),
            "EKS node group delivery-prod-nodes spreads over 2 zones (subnetIds), fewer than 3. Remedy: list at least 3 zones in delivery:cluster.zones.");
    });

    it("does not apply outside production", async () => {
        notApplicable(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "tags.environment", "staging"), { stack: "staging" })), "production only");
    });
});

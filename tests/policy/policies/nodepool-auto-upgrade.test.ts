import {
    AKS_CLASSIC, aks, aksClassicInputs, aksInputs, change, check, eks, eksNodeGroup, eksNodeGroupInputs, fails, gkeNodePool, gkeNodePoolInputs,
    notApplicable, pack, passes, resource,
} from "../fixtures";

const policy = pack("nodepool-auto-upgrade");
const REMEDY = "Remedy: set delivery:cluster.autoUpgrade: true.";

describe("nodepool-auto-upgrade", () => {
    it("passes EKS node repair, GKE auto-repair/upgrade and AKS node image upgrades", async () => {
        passes(await check(policy, eksNodeGroup()));
        passes(await check(policy, gkeNodePool()));
        passes(await check(policy, aks()));
    });

    it("passes a GKE pool that leaves management to its defaults (on)", async () => {
        passes(await check(policy, gkeNodePool(change(gkeNodePoolInputs(), "management", undefined))));
    });

    it("fails an EKS node group with node repair off", async () => {
        fails(await check(policy, eksNodeGroup(change(eksNodeGroupInputs(), "nodeRepairConfig.enabled", false))),
            `EKS node group delivery-prod-nodes has node auto-repair off (nodeRepairConfig.enabled is not true): failed nodes are not replaced. ${REMEDY}`);
    });

    it("fails a GKE pool with auto-repair off", async () => {
        fails(await check(policy, gkeNodePool(change(gkeNodePoolInputs(), "management.autoRepair", false))),
            `GKE node pool delivery-prod-pool has auto-repair off (management.autoRepair: false). ${REMEDY}`);
    });

    it("fails a GKE pool with auto-upgrade off", async () => {
        fails(await check(policy, gkeNodePool(change(gkeNodePoolInputs(), "management.autoUpgrade", false))),
            `GKE node pool delivery-prod-pool has auto-upgrade off (management.autoUpgrade: false). ${REMEDY}`);
    });

    it("fails an AKS cluster whose node image channel is None", async () => {
        fails(await check(policy, aks(change(aksInputs(), "autoUpgradeProfile.nodeOSUpgradeChannel", "None"))),
            `AKS cluster delivery-prod-aks has node image upgrades off (autoUpgradeProfile.nodeOSUpgradeChannel "None"): node OS security patches are never applied. ${REMEDY}`);
        fails(await check(policy, resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "nodeOsUpgradeChannel", "Unmanaged"))),
            `AKS cluster aks has node image upgrades off (nodeOsUpgradeChannel "Unmanaged"): node OS security patches are never applied. ${REMEDY}`);
    });

    it("does not apply to EKS clusters (their nodes are node groups)", async () => {
        notApplicable(await check(policy, eks()), "applies to");
    });
});

import { AKS_CLASSIC, aks, aksClassicInputs, aksInputs, change, check, eks, eksInputs, fails, gke, gkeInputs, pack, passes, resource } from "../fixtures";

const policy = pack("cluster-auto-upgrade");
const REMEDY = "Remedy: set delivery:cluster.autoUpgrade: true.";

describe("cluster-auto-upgrade", () => {
    it("passes EKS standard support, an AKS patch channel and the GKE REGULAR channel", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
        passes(await check(policy, resource(AKS_CLASSIC, "aks", aksClassicInputs())));
    });

    it("fails EKS extended support", async () => {
        fails(await check(policy, eks(change(eksInputs(), "upgradePolicy.supportType", "EXTENDED"))),
            `EKS cluster delivery-prod-eks has upgradePolicy.supportType "EXTENDED": the control plane is not upgraded when standard support ends. ${REMEDY}`);
    });

    it("fails EKS without an upgrade policy (EKS defaults to extended support)", async () => {
        fails(await check(policy, eks(change(eksInputs(), "upgradePolicy", undefined))),
            `EKS cluster delivery-prod-eks has upgradePolicy.supportType unset (EKS then defaults to EXTENDED): the control plane is not upgraded when standard support ends. ${REMEDY}`);
    });

    it("fails an AKS cluster on upgrade channel none", async () => {
        fails(await check(policy, aks(change(aksInputs(), "autoUpgradeProfile.upgradeChannel", "none"))),
            `AKS cluster delivery-prod-aks has no automatic upgrade channel ("none"): the cluster receives no Kubernetes patch upgrades. ${REMEDY}`);
    });

    it("fails a GKE cluster on no release channel", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "releaseChannel.channel", "UNSPECIFIED"))),
            `GKE cluster delivery-prod-gke is on no release channel (releaseChannel.channel "UNSPECIFIED"): GKE does not keep it upgraded. ${REMEDY}`);
    });

    it("fails a classic Azure cluster without automaticUpgradeChannel", async () => {
        fails(await check(policy, resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "automaticUpgradeChannel", undefined))),
            `AKS cluster aks has no automatic upgrade channel (unset): the cluster receives no Kubernetes patch upgrades. ${REMEDY}`);
    });
});

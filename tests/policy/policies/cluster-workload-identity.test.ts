import {
    AKS_CLASSIC, aks, aksClassicInputs, aksInputs, change, checkStack, eks, fails, gke, gkeInputs, gkeNodePool, gkeNodePoolInputs, oidcProvider,
    pack, passes, resource,
} from "../fixtures";

const policy = pack("cluster-workload-identity");
const REMEDY = "Remedy: enable workload identity: EKS IAM OIDC provider (sts.amazonaws.com), AKS oidcIssuerProfile and securityProfile.workloadIdentity, GKE workloadIdentityConfig with GKE_METADATA on node pools.";

describe("cluster-workload-identity", () => {
    it("passes EKS with an IAM OIDC provider, AKS with OIDC and workload identity, GKE with a pool and GKE_METADATA nodes", async () => {
        passes(await checkStack(policy, [eks(), oidcProvider()]));
        passes(await checkStack(policy, [aks()]));
        passes(await checkStack(policy, [gke(), gkeNodePool()]));
    });

    it("passes EKS with the Pod Identity agent add-on instead of an OIDC provider", async () => {
        passes(await checkStack(policy, [eks(), resource("aws:eks/addon:Addon", "pod-identity", { clusterName: "delivery-prod", addonName: "eks-pod-identity-agent" })]));
    });

    it("fails EKS without an IAM OIDC provider or Pod Identity", async () => {
        fails(await checkStack(policy, [eks()]),
            `EKS cluster delivery-prod-eks has no IAM OIDC provider for sts.amazonaws.com and no eks-pod-identity-agent add-on, so pods can only use the node role. ${REMEDY}`);
    });

    it("does not count an OIDC provider that does not trust sts.amazonaws.com", async () => {
        const other = resource(oidcProvider().type, "other-oidc", { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sigstore"] });
        fails(await checkStack(policy, [eks(), other]),
            `EKS cluster delivery-prod-eks has no IAM OIDC provider for sts.amazonaws.com and no eks-pod-identity-agent add-on, so pods can only use the node role. ${REMEDY}`);
    });

    it("fails AKS without the OIDC issuer", async () => {
        fails(await checkStack(policy, [aks(change(aksInputs(), "oidcIssuerProfile.enabled", false))]),
            `AKS cluster delivery-prod-aks does not enable the OIDC issuer (oidcIssuerProfile.enabled). ${REMEDY}`);
    });

    it("fails AKS without workload identity", async () => {
        fails(await checkStack(policy, [aks(change(aksInputs(), "securityProfile.workloadIdentity", undefined))]),
            `AKS cluster delivery-prod-aks does not enable workload identity (securityProfile.workloadIdentity.enabled). ${REMEDY}`);
    });

    it("fails classic Azure clusters the same way", async () => {
        fails(await checkStack(policy, [resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "workloadIdentityEnabled", false))]),
            `AKS cluster aks does not enable workload identity (workloadIdentityEnabled). ${REMEDY}`);
    });

    it("fails GKE without a workload pool", async () => {
        fails(await checkStack(policy, [gke(change(gkeInputs(), "workloadIdentityConfig", undefined))]),
            `GKE cluster delivery-prod-gke has no workload identity pool (workloadIdentityConfig.workloadPool). ${REMEDY}`);
    });

    it("fails a GKE node pool that exposes the node metadata server", async () => {
        fails(await checkStack(policy, [gke(), gkeNodePool(change(gkeNodePoolInputs(), "nodeConfig.workloadMetadataConfig.mode", "GCE_METADATA"))]),
            "GKE node pool delivery-prod-pool exposes the node's metadata server to pods (nodeConfig.workloadMetadataConfig.mode \"GCE_METADATA\"). Remedy: set nodeConfig.workloadMetadataConfig.mode to GKE_METADATA.");
    });
});

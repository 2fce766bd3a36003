import { aks, aksInputs, change, checkStack, eks, eksCni, fails, gke, gkeInputs, pack, passes } from "../fixtures";

const policy = pack("cluster-network-policy-enforced");

describe("cluster-network-policy-enforced", () => {
    it("passes EKS with the VPC CNI enforcing, AKS with a policy engine, GKE on Dataplane V2", async () => {
        passes(await checkStack(policy, [eks(), eksCni()]));
        passes(await checkStack(policy, [aks(change(aksInputs(), "networkProfile", { networkPlugin: "azure", networkPolicy: "azure" }))]));
        passes(await checkStack(policy, [gke(change(gkeInputs(), "datapathProvider", "ADVANCED_DATAPATH"))]));
    });

    it("fails EKS without the add-on, or with enforcement off (the default-deny would be decoration)", async () => {
        const msg = "EKS cluster delivery-prod-eks has no vpc-cni add-on with enableNetworkPolicy: NetworkPolicies are stored but not enforced. " +
            "Remedy: add an aws.eks.Addon vpc-cni with configurationValues {\"enableNetworkPolicy\":\"true\"}.";
        fails(await checkStack(policy, [eks()]), msg);
        fails(await checkStack(policy, [eks(), eksCni(JSON.stringify({ enableNetworkPolicy: "false" }))]), msg);
    });

    it("fails AKS without a network policy engine and GKE without Dataplane V2 or network policy", async () => {
        const noPolicy = aks(change(aksInputs(), "networkProfile", { networkPlugin: "azure" }));
        const legacy = gke(change(gkeInputs(), "datapathProvider", "LEGACY_DATAPATH"));
        const out = await checkStack(policy, [noPolicy, legacy]);
        fails(out,
            "AKS cluster delivery-prod-aks has no network policy engine (networkProfile.networkPolicy is not set). Remedy: set networkProfile.networkPolicy to azure, calico or cilium.",
            "GKE cluster delivery-prod-gke enforces no NetworkPolicy (neither Dataplane V2 nor networkPolicy.enabled). Remedy: set datapathProvider: ADVANCED_DATAPATH.");
    });
});

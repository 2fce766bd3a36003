import {
    AKS, AKS_CLASSIC, EKS_NATIVE, aks, aksClassicInputs, aksInputs, change, check, eks, eksInputs, eksNativeInputs, fails, gke, gkeInputs,
    notApplicable, pack, passes, resource, release,
} from "../fixtures";

const policy = pack("cluster-endpoint-allowlist");
const REMEDY = "Remedy: make the endpoint private (delivery:cluster.endpoint.private: true) or list the networks that may reach it (delivery:cluster.endpoint.allowedCidrs).";
const publicEks = (cidrs?: string[]) => change(change(eksInputs(), "vpcConfig.endpointPublicAccess", true), "vpcConfig.publicAccessCidrs", cidrs);

describe("cluster-endpoint-allowlist", () => {
    it("passes private endpoints on EKS, AKS and GKE", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
    });

    it("passes a public EKS endpoint restricted to an allow-list inside allowedCidrs", async () => {
        passes(await check(policy, eks(publicEks(["203.0.113.0/25"])), { allowedCidrs: ["203.0.113.0/24"] }));
    });

    it("fails a public EKS endpoint without publicAccessCidrs (EKS then admits 0.0.0.0/0)", async () => {
        fails(await check(policy, eks(publicEks())),
            `EKS cluster delivery-prod-eks serves its API publicly to every address (vpcConfig.publicAccessCidrs is not set). ${REMEDY}`);
    });

    it("fails an EKS endpoint that leaves endpointPublicAccess unset (public by default)", async () => {
        fails(await check(policy, eks(change(eksInputs(), "vpcConfig.endpointPublicAccess", undefined))),
            `EKS cluster delivery-prod-eks serves its API publicly to every address (vpcConfig.publicAccessCidrs is not set). ${REMEDY}`);
    });

    it("fails an allow-list that contains 0.0.0.0/0", async () => {
        fails(await check(policy, eks(publicEks(["203.0.113.0/24", "0.0.0.0/0"]))),
            `EKS cluster delivery-prod-eks serves its API publicly to every address (vpcConfig.publicAccessCidrs includes 0.0.0.0/0). ${REMEDY}`);
    });

    it("fails allow-list entries outside the configured allowedCidrs, naming them", async () => {
        fails(await check(policy, eks(publicEks(["203.0.113.0/24", "198.51.100.0/24"])), { allowedCidrs: ["203.0.113.0/24"] }),
            "EKS cluster delivery-prod-eks allows 198.51.100.0/24 to reach its public API, outside the allowed networks 203.0.113.0/24. " +
            "Remedy: restrict delivery:cluster.endpoint.allowedCidrs to ranges inside 203.0.113.0/24, or add the range to allowedCidrs in the policy config after review.");
    });

    it("fails a public AKS API server without authorizedIPRanges", async () => {
        fails(await check(policy, aks(change(aksInputs(), "apiServerAccessProfile", { enablePrivateCluster: false }))),
            `AKS cluster delivery-prod-aks serves its API publicly to every address (apiServerAccessProfile.authorizedIPRanges is not set). ${REMEDY}`);
    });

    it("fails a public GKE endpoint without master authorized networks", async () => {
        const inputs = change(change(gkeInputs(), "privateClusterConfig.enablePrivateEndpoint", false), "masterAuthorizedNetworksConfig", undefined);
        fails(await check(policy, gke(inputs)),
            `GKE cluster delivery-prod-gke serves its API publicly to every address (masterAuthorizedNetworksConfig.cidrBlocks is not set). ${REMEDY}`);
    });

    it("passes a public GKE endpoint whose authorized networks are set", async () => {
        const inputs = change(change(gkeInputs(), "privateClusterConfig.enablePrivateEndpoint", false), "masterAuthorizedNetworksConfig.cidrBlocks", [{ cidrBlock: "203.0.113.0/24" }]);
        passes(await check(policy, gke(inputs)));
    });

    it("reads the same setting from aws-native and classic Azure clusters", async () => {
        fails(await check(policy, resource(EKS_NATIVE, "eks", change(eksNativeInputs(), "resourcesVpcConfig.endpointPublicAccess", true))),
            `EKS cluster eks serves its API publicly to every address (resourcesVpcConfig.publicAccessCidrs is not set). ${REMEDY}`);
        fails(await check(policy, resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "privateClusterEnabled", false))),
            `AKS cluster aks serves its API publicly to every address (apiServerAccessProfile.authorizedIpRanges is not set). ${REMEDY}`);
        passes(await check(policy, resource(AKS.replace("containerservice", "containerservice/v20240901"), "aks", aksInputs())));
    });

    it("does not apply to other resource types", async () => {
        notApplicable(await check(policy, release()), "applies to");
    });
});

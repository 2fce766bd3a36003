import { strict as assert } from "assert";
import { UNKNOWN_STRING, aks, aksInputs, change, check, eks, eksInputs, fails, gke, gkeInputs, pack, passes } from "../fixtures";

const policy = pack("cluster-version-floor");

describe("cluster-version-floor", () => {
    it("passes clusters at or above the default floor 1.30", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, eks(change(eksInputs(), "version", "1.30"))));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
    });

    it("fails an EKS cluster below the floor", async () => {
        fails(await check(policy, eks(change(eksInputs(), "version", "1.28"))),
            `EKS cluster delivery-prod-eks runs Kubernetes 1.28 (version), below the floor 1.30. Remedy: set delivery:cluster.version to "1.30" or newer.`);
    });

    it("takes the floor from policy config", async () => {
        fails(await check(policy, eks(), { minimumVersion: "1.32" }),
            `EKS cluster delivery-prod-eks runs Kubernetes 1.31 (version), below the floor 1.32. Remedy: set delivery:cluster.version to "1.32" or newer.`);
    });

    it("reads AKS kubernetesVersion and GKE minMasterVersion (with patch and gke suffixes)", async () => {
        fails(await check(policy, aks(change(aksInputs(), "kubernetesVersion", "1.29.7"))),
            `AKS cluster delivery-prod-aks runs Kubernetes 1.29.7 (kubernetesVersion), below the floor 1.30. Remedy: set delivery:cluster.version to "1.30" or newer.`);
        fails(await check(policy, gke(change(gkeInputs(), "minMasterVersion", "1.29.5-gke.100"))),
            `GKE cluster delivery-prod-gke runs Kubernetes 1.29.5-gke.100 (minMasterVersion), below the floor 1.30. Remedy: set delivery:cluster.version to "1.30" or newer.`);
    });

    it("passes a version left to the provider (the newest) and GKE's latest alias", async () => {
        passes(await check(policy, eks(change(eksInputs(), "version", undefined))));
        passes(await check(policy, gke(change(gkeInputs(), "minMasterVersion", "latest"))));
    });

    it("cannot judge a version unknown during preview: reports that instead of passing silently", async () => {
        const out = await check(policy, eks(change(eksInputs(), "version", UNKNOWN_STRING)));
        assert.match(out.unknown ?? "", /string value at \.version can't be known during preview/);
    });
});

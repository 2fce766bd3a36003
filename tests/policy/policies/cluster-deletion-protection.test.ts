import { aks, change, check, eks, eksInputs, fails, gke, gkeInputs, notApplicable, pack, passes } from "../fixtures";

const policy = pack("cluster-deletion-protection");
const REMEDY = "Remedy: set delivery:cluster.protect: true.";

describe("cluster-deletion-protection", () => {
    it("passes protected production clusters", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
    });

    it("fails a production cluster without the protect option (args.opts.protect)", async () => {
        fails(await check(policy, eks(eksInputs(), { protect: false })),
            `EKS cluster delivery-prod-eks is not protected (resource option protect is not set), so a replace or destroy would delete it. ${REMEDY}`);
    });

    it("fails a production cluster whose cloud deletion protection is off", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "deletionProtection", false))),
            `GKE cluster delivery-prod-gke turns the cloud's deletion protection off (deletionProtection: false). ${REMEDY}`);
    });

    it("knows production from the resource's own tags even in a stack whose name says nothing", async () => {
        fails(await check(policy, eks(eksInputs(), { stack: "blue", protect: false })),
            `EKS cluster delivery-prod-eks is not protected (resource option protect is not set), so a replace or destroy would delete it. ${REMEDY}`);
    });

    it("treats a resource nothing identifies as production (fails closed)", async () => {
        const untagged = change(eksInputs(), "tags", {});
        fails(await check(policy, eks(untagged, { stack: "blue", protect: false })),
            `EKS cluster delivery-prod-eks is not protected (resource option protect is not set), so a replace or destroy would delete it. ${REMEDY}`);
    });

    it("cannot be switched off for production by a config that says development", async () => {
        fails(await check(policy, eks(eksInputs(), { protect: false }), { environment: "development" }),
            `EKS cluster delivery-prod-eks is not protected (resource option protect is not set), so a replace or destroy would delete it. ${REMEDY}`);
    });

    it("does not apply to development clusters", async () => {
        const dev = change(eksInputs(), "tags.environment", "development");
        notApplicable(await check(policy, eks(dev, { stack: "dev", protect: false })), "production only; delivery-prod-eks is development");
    });

    it("applies to a development-named stack when the policy config says production", async () => {
        const dev = change(eksInputs(), "tags.environment", "development");
        fails(await check(policy, eks(dev, { stack: "dev", protect: false }), { environment: "production" }),
            `EKS cluster delivery-prod-eks is not protected (resource option protect is not set), so a replace or destroy would delete it. ${REMEDY}`);
    });
});

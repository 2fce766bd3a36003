import { change, check, deployment, deploymentInputs, fails, notApplicable, pack, passes } from "../fixtures";

const policy = pack("workload-service-account");
const REMEDY = "Remedy: give the chart a service account of its own (serviceAccountName) and set automountServiceAccountToken: false unless the pod calls the API.";
const own = change(deploymentInputs(), "spec.template.spec.serviceAccountName", "api");

describe("workload-service-account", () => {
    it("passes a pod with its own service account", async () => {
        passes(await check(policy, deployment(own)));
    });

    it("fails the default service account, and says when it also mounts the token", async () => {
        fails(await check(policy, deployment(deploymentInputs())),
            `Deployment api runs as the namespace's default service account and mounts its API token (automountServiceAccountToken is not false). ${REMEDY}`);
        const named = change(change(deploymentInputs(), "spec.template.spec.serviceAccountName", "default"), "spec.template.spec.automountServiceAccountToken", false);
        fails(await check(policy, deployment(named)), `Deployment api runs as the namespace's default service account. ${REMEDY}`);
    });

    it("does not apply outside production", async () => {
        notApplicable(await check(policy, deployment(change(deploymentInputs(), "metadata.labels", {}), { stack: "dev" })), "production only");
    });
});

import { change, check, deployment, deploymentInputs, fails, pack, passes } from "../fixtures";

const policy = pack("workload-rollout-keeps-serving");
const REMEDY = "Remedy: use strategy RollingUpdate with maxUnavailable 0 and maxSurge 1 (the bundled chart's default), in the chart's values.";

describe("workload-rollout-keeps-serving", () => {
    it("passes the default rolling update and maxUnavailable 0", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, deployment(change(deploymentInputs(), "spec.strategy", { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }))));
    });

    it("fails Recreate and a maxUnavailable that stops every pod", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.strategy", { type: "Recreate" }))),
            `Deployment api uses strategy Recreate: every pod of the previous release stops before the new one is ready. ${REMEDY}`);
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.strategy", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } }))),
            `Deployment api may take 3 of 3 pods down during a rollout (spec.strategy.rollingUpdate.maxUnavailable), so a failed rollout leaves nothing serving. ${REMEDY}`);
    });
});

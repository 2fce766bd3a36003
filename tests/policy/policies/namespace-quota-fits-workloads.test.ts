import { change, checkStack, deployment, deploymentInputs, fails, pack, passes, quota } from "../fixtures";

const policy = pack("namespace-quota-fits-workloads");
const REMEDY = "Remedy: raise delivery:namespace.quota (cpu, memory, pods) or lower the chart's resources/replicas (delivery:app.resources, or the chart's values under delivery:values).";

describe("namespace-quota-fits-workloads", () => {
    it("passes workloads that fit the quota with a surge pod each", async () => {
        passes(await checkStack(policy, [quota(), deployment()]));
    });

    it("fails workloads whose pods would be refused by the quota (the rollout would hang)", async () => {
        const big = change(deploymentInputs(), "spec.template.spec.containers[0].resources", { requests: { cpu: "5", memory: "4Gi" }, limits: { cpu: "5", memory: "8Gi" } });
        fails(await checkStack(policy, [quota(), deployment(big)]),
            // 3 replicas + 1 surge pod × 5 CPU = 20 CPU; memory (4 × 8Gi = 32Gi) just fits.
            `the workloads in storefront-prod (Deployment api) need 20000m of requests.cpu during a rollout, more than ResourceQuota storefront-quota allows (16000m): pods over it are refused and the rollout hangs. ${REMEDY}`,
            `the workloads in storefront-prod (Deployment api) need 20000m of limits.cpu during a rollout, more than ResourceQuota storefront-quota allows (16000m): pods over it are refused and the rollout hangs. ${REMEDY}`);
    });
});

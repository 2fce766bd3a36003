import {
    change, check, deployment, deploymentInputs, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs, resource,
} from "../fixtures";

const policy = pack("workload-replicas-minimum");
const REMEDY = "Remedy: set delivery:app.replicas (and delivery:app.autoscaling.min) to 3 or more.";
const fixed = (n: number) => change(change(releaseInputs(), "values.autoscaling.enabled", false), "values.replicaCount", n);

describe("workload-replicas-minimum", () => {
    it("passes the production release (autoscaling from 3) and a 3-replica Deployment", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
    });

    it("fails a release of one replica without autoscaling", async () => {
        fails(await check(policy, release(fixed(1))),
            `Helm release storefront-helm (chart ./charts/app) runs 1 replica (values.replicaCount), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("judges an autoscaled release by the autoscaler's floor", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.autoscaling.minReplicas", 2))),
            `Helm release storefront-helm (chart ./charts/app) runs 2 replicas (values.autoscaling.minReplicas), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("fails a Deployment of two replicas, and one that leaves replicas unset (1)", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.replicas", 2))),
            `Deployment api runs 2 replicas (spec.replicas), fewer than the production minimum of 3. ${REMEDY}`);
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.replicas", undefined))),
            `Deployment api runs 1 replica (spec.replicas), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("fails a HorizontalPodAutoscaler whose floor is below the minimum", async () => {
        const hpa = resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api", { metadata: { namespace: "storefront-prod" }, spec: { minReplicas: 2, maxReplicas: 6 } });
        fails(await check(policy, hpa), `HorizontalPodAutoscaler api runs 2 replicas (spec.minReplicas), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("takes the minimum from policy config", async () => {
        passes(await check(policy, release(fixed(2)), { minReplicas: 2 }));
    });

    it("leaves platform charts (the External Secrets operator) alone", async () => {
        notApplicable(await check(policy, esoRelease()), "platform chart");
    });

    it("does not apply outside production", async () => {
        const dev = change(fixed(1), "values.environment", "development");
        notApplicable(await check(policy, release(dev, { stack: "dev" })), "production only");
        const staging = change(change(deploymentInputs(), "spec.replicas", 2), "metadata.labels", { "app.kubernetes.io/part-of": "storefront" });
        notApplicable(await check(policy, deployment(staging, { stack: "staging" })), "production only; api is staging");
    });

    it("still applies when a staging-named stack deploys something labelled production", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.replicas", 2), { stack: "staging" })),
            `Deployment api runs 2 replicas (spec.replicas), fewer than the production minimum of 3. ${REMEDY}`);
    });
});

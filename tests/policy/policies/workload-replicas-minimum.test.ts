import {
    change, checkStack, deployment, deploymentInputs, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs, resource,
} from "../fixtures";

const policy = pack("workload-replicas-minimum");
const REMEDY = "Remedy: set delivery:app.replicas (and delivery:app.autoscaling.min) to 3 or more.";
const RENDERED_REMEDY = "Remedy: set delivery:app.replicas to 3 or more (or the chart's own replica value under delivery:values).";
const fixed = (n: number) => change(change(releaseInputs(), "values.autoscaling.enabled", false), "values.replicaCount", n);
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const hpa = (min: number, target = "api") => resource(HPA, "api", {
    metadata: { name: "api", namespace: "storefront-prod" }, spec: { minReplicas: min, maxReplicas: 6, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target } },
});

describe("workload-replicas-minimum", () => {
    it("passes the production release (autoscaling from 3) and a 3-replica Deployment", async () => {
        passes(await checkStack(policy, [release(), deployment()]));
    });

    it("fails a release of one replica without autoscaling", async () => {
        fails(await checkStack(policy, [release(fixed(1))]),
            `Helm release storefront-helm (chart ./charts/app) runs 1 replica (values.replicaCount), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("judges an autoscaled release by the autoscaler's floor", async () => {
        fails(await checkStack(policy, [release(change(releaseInputs(), "values.autoscaling.minReplicas", 2))]),
            `Helm release storefront-helm (chart ./charts/app) runs 2 replicas (values.autoscaling.minReplicas), fewer than the production minimum of 3. ${REMEDY}`);
    });

    it("fails a Deployment of two replicas, and one that leaves replicas unset (1) with no autoscaler", async () => {
        fails(await checkStack(policy, [deployment(change(deploymentInputs(), "spec.replicas", 2))]),
            `Deployment api runs 2 replicas (spec.replicas), fewer than the production minimum of 3. ${RENDERED_REMEDY}`);
        fails(await checkStack(policy, [deployment(change(deploymentInputs(), "spec.replicas", undefined))]),
            `Deployment api runs 1 replica (spec.replicas not set: 1), fewer than the production minimum of 3. ${RENDERED_REMEDY}`);
    });

    it("judges a Deployment an autoscaler scales by the autoscaler's floor, not its unset spec.replicas", async () => {
        const unset = deployment(change(deploymentInputs(), "spec.replicas", undefined));
        passes(await checkStack(policy, [unset, hpa(3)]));
        fails(await checkStack(policy, [unset, hpa(2)]),
            "Deployment api is scaled by HorizontalPodAutoscaler api from 2 replicas (spec.minReplicas), fewer than the production minimum of 3. " +
            "Remedy: set delivery:app.autoscaling.min to 3 or more (or the chart's own replica value under delivery:values).");
        // An autoscaler of another workload does not count.
        fails(await checkStack(policy, [unset, hpa(3, "worker")]),
            `Deployment api runs 1 replica (spec.replicas not set: 1), fewer than the production minimum of 3. ${RENDERED_REMEDY}`);
    });

    it("names the chart value to change, from the release record's value hints", async () => {
        const record = resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
            metadata: { name: "storefront-release-record", namespace: "storefront-prod" },
            data: { valueHints: JSON.stringify({ "connect.replicas": 1, "connect.port": 15002 }) },
        });
        const d = deployment(change(deploymentInputs(), "spec.replicas", 1));
        fails(await checkStack(policy, [record, d]),
            "Deployment api runs 1 replica (spec.replicas), fewer than the production minimum of 3. Remedy: raise delivery:values connect.replicas (now 1) to 3 or more.");
    });

    it("takes the minimum from policy config", async () => {
        passes(await checkStack(policy, [release(fixed(2))], { minReplicas: 2 }));
    });

    it("leaves platform charts (the External Secrets operator) alone", async () => {
        passes(await checkStack(policy, [esoRelease()]));
    });

    it("does not apply outside production", async () => {
        const dev = change(fixed(1), "values.environment", "development");
        notApplicable(await checkStack(policy, [release(dev, { stack: "dev" })]), "production only");
        const staging = change(change(deploymentInputs(), "spec.replicas", 2), "metadata.labels", { "app.kubernetes.io/part-of": "storefront" });
        notApplicable(await checkStack(policy, [deployment(staging, { stack: "staging" })]), "production only; this stack is staging");
    });

    it("still applies when a staging-named stack deploys something labelled production", async () => {
        fails(await checkStack(policy, [deployment(change(deploymentInputs(), "spec.replicas", 2), { stack: "staging" })]),
            `Deployment api runs 2 replicas (spec.replicas), fewer than the production minimum of 3. ${RENDERED_REMEDY}`);
    });
});

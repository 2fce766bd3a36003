import { change, check, deployment, deploymentInputs, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-zone-spread");

describe("workload-zone-spread", () => {
    it("passes the release with topology spread and a Deployment with a zone constraint", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
    });

    it("fails a production release that does not spread across zones", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.topologySpread.enabled", false))),
            "Helm release storefront-helm (chart ./charts/app) does not spread its pods across zones (values.topologySpread.enabled is not true and no zone topologyKey is set). " +
            "Remedy: set delivery:app.spreadAcrossZones: true.");
    });

    it("accepts a chart's own topologySpreadConstraints on the zone key", async () => {
        const own = change(change(releaseInputs(), "values.topologySpread", undefined), "values.topologySpreadConstraints", [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone" }]);
        passes(await check(policy, release(own)));
    });

    it("fails a Deployment of several replicas without a zone constraint", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.template.spec.topologySpreadConstraints", undefined))),
            "Deployment api has no topologySpreadConstraints or pod anti-affinity on topology.kubernetes.io/zone. Remedy: add a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone to the pod template.");
    });

    it("leaves single-replica Deployments to workload-replicas-minimum, and platform charts alone", async () => {
        const single = change(change(deploymentInputs(), "spec.template.spec.topologySpreadConstraints", undefined), "spec.replicas", 1);
        passes(await check(policy, deployment(single)));
        notApplicable(await check(policy, esoRelease()), "platform chart");
    });

    it("does not apply outside production", async () => {
        const dev = change(change(releaseInputs(), "values.topologySpread.enabled", false), "values.environment", "development");
        notApplicable(await check(policy, release(dev, { stack: "dev" })), "production only");
    });
});

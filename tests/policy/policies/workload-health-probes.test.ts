import { CONTAINER, change, check, deployment, deploymentInputs, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("workload-health-probes");
const REMEDY = "Remedy: add livenessProbe and readinessProbe to every serving container (the bundled chart defines both).";
const HELM_REMEDY = "Remedy: remove the override so the chart's liveness and readiness probes apply.";

describe("workload-health-probes", () => {
    it("passes containers with both probes, and the release that keeps the chart's probes", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails a container without a liveness probe", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.livenessProbe`, undefined))),
            `Deployment api container api has no livenessProbe. ${REMEDY}`);
    });

    it("fails a container without a readiness probe", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.readinessProbe`, undefined))),
            `Deployment api container api has no readinessProbe. ${REMEDY}`);
    });

    it("fails a liveness probe timed so that it could not restart a hung container for days", async () => {
        const late = change(deploymentInputs(), `${CONTAINER}.livenessProbe.initialDelaySeconds`, 999999999);
        fails(await check(policy, deployment(late)),
            "Deployment api container api has a liveness probe that could first restart it after 1000000029s (initialDelaySeconds + periodSeconds × failureThreshold), more than 900s: it is as good as off. " +
            "Remedy: keep the chart's probe timings (delivery:values probes.liveness): a hung container is restarted within minutes.");
        const slow = change(change(deploymentInputs(), `${CONTAINER}.livenessProbe.periodSeconds`, 300), `${CONTAINER}.livenessProbe.failureThreshold`, 10);
        fails(await check(policy, deployment(slow)),
            "Deployment api container api has a liveness probe that could first restart it after 3000s (initialDelaySeconds + periodSeconds × failureThreshold), more than 900s: it is as good as off. " +
            "Remedy: keep the chart's probe timings (delivery:values probes.liveness): a hung container is restarted within minutes.");
        passes(await check(policy, deployment(slow), { maxLivenessSeconds: 3600 }));
    });

    it("fails Helm values that switch a probe off", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.probes.liveness", null))),
            `Helm release storefront-helm (chart ./charts/app) switches a health probe off (values.probes.liveness: null). ${HELM_REMEDY}`);
        fails(await check(policy, release(change(releaseInputs(), "values.readinessProbe", { enabled: false }))),
            `Helm release storefront-helm (chart ./charts/app) switches a health probe off (values.readinessProbe: {"enabled":false}). ${HELM_REMEDY}`);
    });

    it("does not apply to batch jobs or platform charts", async () => {
        notApplicable(await check(policy, resource("kubernetes:batch/v1:Job", "migrate", { spec: { template: { spec: { containers: [{ name: "m" }] } } } })), "applies to");
        notApplicable(await check(policy, esoRelease()), "platform chart");
    });
});

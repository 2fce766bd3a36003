import { CONTAINER, change, check, deployment, deploymentInputs, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-resource-limits");

describe("workload-resource-limits", () => {
    it("passes the app release and a Deployment with requests and limits", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
    });

    it("fails a release that sets no resources", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.resources", undefined))),
            "Helm release storefront-helm (chart ./charts/app) sets no values.resources.requests.cpu, values.resources.requests.memory, values.resources.limits.cpu, values.resources.limits.memory. " +
            "Remedy: set delivery:app.resources.requests and delivery:app.resources.limits (cpu and memory).");
    });

    it("fails a release without a memory limit", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.resources.limits.memory", undefined))),
            "Helm release storefront-helm (chart ./charts/app) sets no values.resources.limits.memory. Remedy: set delivery:app.resources.requests and delivery:app.resources.limits (cpu and memory).");
    });

    it("fails a container without requests", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.resources.requests`, undefined))),
            "Deployment api container api sets no resources.requests.cpu, resources.requests.memory. Remedy: set resources.requests and resources.limits (cpu and memory) on every container.");
    });

    it("fails a container whose limits are 0 (no CPU quota, no memory cap)", async () => {
        const zero = change(deploymentInputs(), `${CONTAINER}.resources.limits`, { cpu: "0", memory: "0" });
        fails(await check(policy, deployment(zero)),
            "Deployment api container api sets resources.limits.cpu, resources.limits.memory to 0, which is none at all (a limit of 0 is no limit). " +
            "Remedy: set non-zero resources.requests and resources.limits (cpu and memory) on every container.");
    });

    it("fails a release whose values set a request of 0m", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.resources.requests.cpu", "0m"))),
            "Helm release storefront-helm (chart ./charts/app) sets values.resources.requests.cpu to 0, which is none at all. " +
            "Remedy: set delivery:app.resources.requests and delivery:app.resources.limits (cpu and memory).");
    });

    it("checks init containers too", async () => {
        const init = change(deploymentInputs(), "spec.template.spec.initContainers", [{ name: "migrate", image: "ghcr.io/acme/api:2.4.1", resources: { limits: { cpu: "1", memory: "1Gi" } } }]);
        fails(await check(policy, deployment(init)),
            "Deployment api init container migrate sets no resources.requests.cpu, resources.requests.memory. Remedy: set resources.requests and resources.limits (cpu and memory) on every container.");
    });

    it("leaves platform charts to their own defaults", async () => {
        notApplicable(await check(policy, esoRelease()), "platform chart");
    });
});

import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes } from "../fixtures";

const policy = pack("workload-container-hygiene");

describe("workload-container-hygiene", () => {
    it("passes the hardened Deployment", async () => {
        passes(await check(policy, deployment()));
    });

    it("fails an env var defined twice (the second silently wins)", async () => {
        const d = change(deploymentInputs(), `${CONTAINER}.env`, [{ name: "APP_ENVIRONMENT", value: "production" }, { name: "LOG_LEVEL", value: "info" }, { name: "APP_ENVIRONMENT", value: "development" }]);
        fails(await check(policy, deployment(d)),
            "Deployment api container api defines env var APP_ENVIRONMENT more than once; the last definition silently wins. " +
            "Remedy: remove or rename the second APP_ENVIRONMENT (delivery:app.env or delivery:values must not redefine what the chart sets).");
    });

    it("fails a port below 1024", async () => {
        const d = change(deploymentInputs(), `${CONTAINER}.ports`, [{ name: "http", containerPort: 80 }]);
        fails(await check(policy, deployment(d)),
            "Deployment api container api listens on port 80, below 1024 (needs root or NET_BIND_SERVICE). " +
            "Remedy: listen on 1024 or above (delivery:app.port, or the chart's port value) and map the Service port to it.");
    });
});

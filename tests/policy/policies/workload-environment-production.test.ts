import { CONTAINER, DEV_LABELS, change, check, deployment, deploymentInputs, fails, notApplicable, pack, passes } from "../fixtures";

const policy = pack("workload-environment-production");
const REMEDY = "Remedy: remove environment (and env vars naming the environment) from delivery:values and delivery:valuesFiles: the program sets the environment from the stack.";
const withEnv = (env: { name: string; value: string }[]) => change(deploymentInputs(), `${CONTAINER}.env`, env);

describe("workload-environment-production", () => {
    it("passes a production Deployment that says production", async () => {
        passes(await check(policy, deployment(withEnv([{ name: "APP_ENVIRONMENT", value: "production" }, { name: "NODE_ENV", value: "prod" }]))));
    });

    it("fails a pod labelled development in production (chart values set environment)", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.template.metadata.labels", { "delivery.example.com/environment": "development" }))),
            `Deployment api has the pod label delivery.example.com/environment: development in production. ${REMEDY}`);
    });

    it("fails an app told by its environment variables that it runs in development, staging or a test environment", async () => {
        fails(await check(policy, deployment(withEnv([{ name: "APP_ENVIRONMENT", value: "development" }, { name: "NODE_ENV", value: "test" }, { name: "RAILS_ENV", value: "Staging" }]))),
            `Deployment api container api sets APP_ENVIRONMENT=development in production. ${REMEDY}`,
            `Deployment api container api sets NODE_ENV=test in production. ${REMEDY}`,
            `Deployment api container api sets RAILS_ENV=Staging in production. ${REMEDY}`);
    });

    it("reads only the configured variables", async () => {
        passes(await check(policy, deployment(withEnv([{ name: "DEFAULT_ENV_FOR_REPORTS", value: "dev" }]))));
        fails(await check(policy, deployment(withEnv([{ name: "STAGE", value: "dev" }])), { environmentVariables: ["STAGE"] }),
            `Deployment api container api sets STAGE=dev in production. ${REMEDY}`);
    });

    it("does not apply to development", async () => {
        const dev = change(withEnv([{ name: "APP_ENVIRONMENT", value: "development" }]), "metadata.labels", DEV_LABELS);
        notApplicable(await check(policy, deployment(dev, { stack: "dev" })), "applies to production only");
    });
});

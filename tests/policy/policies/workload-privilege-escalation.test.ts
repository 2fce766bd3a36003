import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("workload-privilege-escalation");
const REMEDY = "Remedy: set securityContext.allowPrivilegeEscalation: false on every container.";

describe("workload-privilege-escalation", () => {
    it("passes containers that forbid escalation", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails a container that leaves allowPrivilegeEscalation unset (Kubernetes allows it)", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.allowPrivilegeEscalation`, undefined))),
            `Deployment api container api may escalate privileges (securityContext.allowPrivilegeEscalation is unset). ${REMEDY}`);
    });

    it("fails a container of a CronJob that allows escalation", async () => {
        const job = resource("kubernetes:batch/v1:CronJob", "report", {
            metadata: { namespace: "storefront-prod" },
            spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "report", image: "ghcr.io/acme/report:1.0.0", securityContext: { allowPrivilegeEscalation: true } }] } } } } },
        });
        fails(await check(policy, job), `CronJob report container report may escalate privileges (securityContext.allowPrivilegeEscalation is true). ${REMEDY}`);
    });

    it("fails escalation allowed through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.securityContext.allowPrivilegeEscalation", true))),
            `Helm release storefront-helm (chart ./charts/app) allows privilege escalation (values.securityContext.allowPrivilegeEscalation: true). ${REMEDY}`);
    });
});

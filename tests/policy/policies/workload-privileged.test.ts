import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("workload-privileged");
const REMEDY = "Remedy: remove securityContext.privileged and the added capabilities; drop ALL capabilities instead.";

describe("workload-privileged", () => {
    it("passes unprivileged containers that drop ALL capabilities", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails a privileged container", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.privileged`, true))),
            `Deployment api container api is privileged (securityContext.privileged: true). ${REMEDY}`);
    });

    it("fails a privileged container in a ReplicationController (the core API's replicated workload)", async () => {
        const inputs = change(deploymentInputs(), `${CONTAINER}.securityContext.privileged`, true);
        const rc = resource("kubernetes:core/v1:ReplicationController", "api", { ...inputs, kind: "ReplicationController", apiVersion: "v1" });
        fails(await check(policy, rc), `ReplicationController api container api is privileged (securityContext.privileged: true). ${REMEDY}`);
    });

    it("fails a privileged container in a custom kind's pod template (an Argo Rollout), and passes custom kinds without one", async () => {
        const inputs = change(deploymentInputs(), `${CONTAINER}.securityContext.privileged`, true);
        fails(await check(policy, resource("kubernetes:argoproj.io/v1alpha1:Rollout", "api", { ...inputs, apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" })),
            `Rollout api container api is privileged (securityContext.privileged: true). ${REMEDY}`);
        passes(await check(policy, resource("kubernetes:external-secrets.io/v1:ExternalSecret", "db", {
            metadata: { name: "db", namespace: "storefront-prod" }, spec: { target: { template: { type: "Opaque" } }, data: [] },
        })));
    });

    it("fails a container that adds SYS_ADMIN", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.capabilities.add`, ["NET_BIND_SERVICE", "CAP_SYS_ADMIN"]))),
            `Deployment api container api adds CAP_SYS_ADMIN (securityContext.capabilities.add). ${REMEDY}`);
    });

    it("fails privileged containers requested through Helm values, wherever the chart nests them", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.controller.securityContext.privileged", true))),
            `Helm release storefront-helm (chart ./charts/app) runs privileged containers (values.controller.securityContext.privileged: true). ${REMEDY}`);
    });

    it("fails node-level capabilities added through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.securityContext.capabilities.add", ["NET_ADMIN"]))),
            `Helm release storefront-helm (chart ./charts/app) adds NET_ADMIN (values.securityContext.capabilities.add). ${REMEDY}`);
    });
});

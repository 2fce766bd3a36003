import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-run-as-non-root");
const REMEDY = "Remedy: set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod.";
const POD_SC = "spec.template.spec.securityContext";

describe("workload-run-as-non-root", () => {
    it("passes a pod that runs as non-root", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails when neither pod nor container sets runAsNonRoot", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${POD_SC}.runAsNonRoot`, undefined))),
            `Deployment api container api may run as root (runAsNonRoot is unset on the container and the pod). ${REMEDY}`);
    });

    it("lets a container's runAsNonRoot: false override the pod's", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.runAsNonRoot`, false))),
            `Deployment api container api may run as root (runAsNonRoot is false on the container and the pod). ${REMEDY}`);
    });

    it("fails runAsUser 0", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.runAsUser`, 0))),
            `Deployment api container api runs as root (runAsUser: 0). ${REMEDY}`);
    });

    it("fails root requested through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.podSecurityContext.runAsNonRoot", false))),
            `Helm release storefront-helm (chart ./charts/app) lets containers run as root (values.podSecurityContext.runAsNonRoot: false). ${REMEDY}`);
        fails(await check(policy, release(change(releaseInputs(), "values.securityContext.runAsUser", 0))),
            `Helm release storefront-helm (chart ./charts/app) lets containers run as root (values.securityContext.runAsUser: 0). ${REMEDY}`);
    });
});

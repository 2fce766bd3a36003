import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-read-only-root-filesystem");
const REMEDY = "Remedy: set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.";

describe("workload-read-only-root-filesystem", () => {
    it("passes read-only root filesystems", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails a container that leaves readOnlyRootFilesystem unset", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.readOnlyRootFilesystem`, undefined))),
            `Deployment api container api has a writable root filesystem (securityContext.readOnlyRootFilesystem is unset). ${REMEDY}`);
    });

    it("fails readOnlyRootFilesystem: false", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.securityContext.readOnlyRootFilesystem`, false))),
            `Deployment api container api has a writable root filesystem (securityContext.readOnlyRootFilesystem is false). ${REMEDY}`);
    });

    it("fails a writable root filesystem requested through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.securityContext.readOnlyRootFilesystem", false))),
            `Helm release storefront-helm (chart ./charts/app) makes the root filesystem writable (values.securityContext.readOnlyRootFilesystem: false). ${REMEDY}`);
    });
});

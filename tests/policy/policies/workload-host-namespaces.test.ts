import { change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("workload-host-namespaces");
const REMEDY = "Remedy: remove hostNetwork, hostPID, hostIPC and hostPath volumes from the pod.";
const POD_SPEC = "spec.template.spec";

describe("workload-host-namespaces", () => {
    it("passes pods in their own namespaces", async () => {
        passes(await check(policy, deployment()));
        passes(await check(policy, release()));
    });

    it("fails hostNetwork", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${POD_SPEC}.hostNetwork`, true))),
            `Deployment api shares the node's namespace (hostNetwork: true). ${REMEDY}`);
    });

    it("fails hostPID on a bare Pod", async () => {
        const pod = resource("kubernetes:core/v1:Pod", "debug", { metadata: { namespace: "storefront-prod" }, spec: { hostPID: true, containers: [] } });
        fails(await check(policy, pod), `Pod debug shares the node's namespace (hostPID: true). ${REMEDY}`);
    });

    it("fails a hostPath volume", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${POD_SPEC}.volumes`, [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]))),
            "Deployment api mounts the node's filesystem (volume docker is a hostPath). Remedy: use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath.");
    });

    it("fails host namespaces requested through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.hostIPC", true))),
            `Helm release storefront-helm (chart ./charts/app) shares the node's namespace (values.hostIPC: true). ${REMEDY}`);
    });
});

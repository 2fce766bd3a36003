import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes } from "../fixtures";

const policy = pack("workload-pod-security-restricted");

describe("workload-pod-security-restricted", () => {
    it("passes the hardened Deployment (RuntimeDefault, drop ALL, emptyDir only)", async () => {
        passes(await check(policy, deployment(change(deploymentInputs(), "spec.template.spec.volumes", [{ name: "tmp", emptyDir: {} }]))));
    });

    it("fails a pod without a seccomp profile and a container that keeps its capabilities", async () => {
        let d = change(deploymentInputs(), "spec.template.spec.securityContext.seccompProfile", undefined);
        d = change(d, `${CONTAINER}.securityContext.capabilities`, { add: ["NET_RAW"] });
        fails(await check(policy, deployment(d)),
            "Deployment api container api runs without the RuntimeDefault seccomp profile (securityContext.seccompProfile.type is not set). Remedy: set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
            "Deployment api container api does not drop all capabilities (securityContext.capabilities.drop lacks ALL). Remedy: set securityContext.capabilities.drop: [ALL].",
            "Deployment api container api adds capabilities the restricted profile forbids: NET_RAW. Remedy: add no capability except NET_BIND_SERVICE.");
    });

    it("fails hostPort, hostPath volumes, unsafe sysctls and an Unmasked procMount", async () => {
        let d = change(deploymentInputs(), `${CONTAINER}.ports`, [{ containerPort: 8080, hostPort: 8080 }]);
        d = change(d, `${CONTAINER}.securityContext.procMount`, "Unmasked");
        d = change(d, "spec.template.spec.volumes", [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]);
        d = change(d, "spec.template.spec.securityContext.sysctls", [{ name: "kernel.msgmax", value: "65536" }, { name: "net.ipv4.tcp_syncookies", value: "1" }]);
        fails(await check(policy, deployment(d)),
            "Deployment api container api binds hostPort 8080 on the node. Remedy: remove hostPort; expose the port through a Service.",
            "Deployment api container api sets securityContext.procMount \"Unmasked\". Remedy: remove procMount (Default).",
            "Deployment api mounts volume docker of type hostPath (/var/run/docker.sock on the node), which the restricted profile forbids. Remedy: use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.",
            "Deployment api sets the unsafe sysctl kernel.msgmax. Remedy: remove it, or use only the sysctls the baseline profile allows.");
    });
});

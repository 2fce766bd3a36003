import { resourcePolicy } from "../lib/define";
import { list, peek, read } from "../lib/props";
import { isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, podSpecOf } from "../lib/workloads";

/** Volume types the Pod Security Standards' restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
/** Sysctls the baseline profile allows (namespaced, safe). */
export const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
];

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

/**
 * The rest of the Pod Security Standards' restricted profile, on the rendered pod spec (the other
 * policies cover privileged, host namespaces, privilege escalation and running as root).
 */
export const workloadPodSecurityRestricted = resourcePolicy({
    name: "workload-pod-security-restricted",
    description: "Pods meet the Pod Security Standards restricted profile: seccomp RuntimeDefault, every capability dropped, no hostPort, only restricted volume types, no unsafe sysctls, the default procMount.",
    severity: "high",
    topics: ["workloads", "pod-security"],
    scope: "all",
    blocks: "rendered pods without seccomp RuntimeDefault or `drop: [ALL]`, with hostPort, hostPath (or other non-restricted) volumes, unsafe sysctls or an Unmasked procMount",
    remedy: "fix the chart's pod template (or its values): seccompProfile.type RuntimeDefault, capabilities.drop [ALL], no hostPort/hostPath, no unsafe sysctls",
    resourceTypes: WORKLOAD_TYPES,
    appliesTo: isWorkload,
    validate: ({ type, name, props, report }) => {
        const pod = podSpecOf(type, props);
        if (pod === undefined) {
            return;
        }
        const what = describeWorkload(type, name);
        const podSeccomp = peek(pod, "securityContext", "seccompProfile", "type");
        for (const c of containersOf(pod)) {
            const seccomp = peek(c.spec, "securityContext", "seccompProfile", "type") ?? podSeccomp;
            if (typeof seccomp !== "string" || !SECCOMP_OK.includes(seccomp)) {
                report(`${what} ${c.label} runs without the RuntimeDefault seccomp profile (securityContext.seccompProfile.type is ${seccomp === undefined ? "not set" : JSON.stringify(seccomp)})`,
                    "set securityContext.seccompProfile.type: RuntimeDefault on the pod");
            }
            const drop = list(c.spec, "securityContext", "capabilities", "drop").map((x) => String(x).toUpperCase());
            if (!drop.includes("ALL")) {
                report(`${what} ${c.label} does not drop all capabilities (securityContext.capabilities.drop lacks ALL)`, "set securityContext.capabilities.drop: [ALL]");
            }
            const added = list(c.spec, "securityContext", "capabilities", "add").map((x) => String(x).toUpperCase().replace(/^CAP_/, ""));
            const extra = added.filter((x) => x !== "NET_BIND_SERVICE");
            if (extra.length > 0) {
                report(`${what} ${c.label} adds capabilities the restricted profile forbids: ${extra.join(", ")}`, "add no capability except NET_BIND_SERVICE");
            }
            for (const port of list(c.spec, "ports")) {
                const hp = peek(port, "hostPort");
                if (typeof hp === "number" && hp !== 0) {
                    report(`${what} ${c.label} binds hostPort ${hp} on the node`, "remove hostPort; expose the port through a Service");
                }
            }
            const proc = peek(c.spec, "securityContext", "procMount");
            if (proc !== undefined && proc !== "Default") {
                report(`${what} ${c.label} sets securityContext.procMount ${JSON.stringify(proc)}`, "remove procMount (Default)");
            }
        }
        for (const v of list(pod, "volumes")) {
            const kinds = Object.keys((read(v) as object) ?? {}).filter((k) => k !== "name");
            const bad = kinds.filter((k) => !RESTRICTED_VOLUME_TYPES.includes(k));
            if (bad.length > 0) {
                report(`${what} mounts volume ${String(peek(v, "name") ?? "?")} of type ${bad.join(", ")}${bad.includes("hostPath") ? ` (${String(peek(v, "hostPath", "path") ?? "")} on the node)` : ""}, which the restricted profile forbids`,
                    `use one of ${RESTRICTED_VOLUME_TYPES.join(", ")}`);
            }
        }
        for (const s of list(pod, "securityContext", "sysctls")) {
            const n = peek(s, "name");
            if (typeof n === "string" && !SAFE_SYSCTLS.includes(n)) {
                report(`${what} sets the unsafe sysctl ${n}`, "remove it, or use only the sysctls the baseline profile allows");
            }
        }
    },
});

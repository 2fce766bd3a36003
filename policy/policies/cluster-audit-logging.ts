import { PolicyResource } from "@pulumi/policy";
import { describeCluster, kindOf } from "../lib/clusters";
import { stackPolicy } from "../lib/define";
import { list, peek, read } from "../lib/props";
import { AZURE_DIAGNOSTIC_SETTING, CLUSTER_TYPES, isAwsNative, isAzureDiagnosticSetting, isCluster } from "../lib/types";

/** Control-plane log types that must be on for each cloud. */
export const REQUIRED_EKS_LOG_TYPES = ["api", "audit", "authenticator"];
export const REQUIRED_GKE_COMPONENTS = ["APISERVER"];
export const AKS_AUDIT_CATEGORIES = ["kube-audit", "kube-audit-admin"];

function eksLogTypes(type: string, p: any): string[] {
    return isAwsNative(type)
        ? list(p, "logging", "clusterLogging", "enabledTypes").map((t) => read(t, "type"))
        : list(p, "enabledClusterLogTypes");
}

/** A diagnostic setting that sends AKS audit logs somewhere (Azure Native or classic shape). */
function sendsAksAudit(setting: PolicyResource): boolean {
    const logs = [...list(setting.props, "logs"), ...list(setting.props, "enabledLogs")];
    return logs.some((l) => AKS_AUDIT_CATEGORIES.includes(read(l, "category")) && read(l, "enabled") !== false);
}

/** Whether a diagnostic setting belongs to the cluster: same component, or its URI names the cluster. */
function targets(setting: PolicyResource, cluster: PolicyResource): boolean {
    const uri = peek(setting.props, "resourceUri") ?? peek(setting.props, "targetResourceId");
    const names = [cluster.name, peek(cluster.props, "resourceName"), peek(cluster.props, "name")].filter((n): n is string => typeof n === "string" && n !== "");
    return (setting.opts.parent !== undefined && setting.opts.parent === cluster.opts.parent) ||
        (typeof uri === "string" && names.some((n) => uri.includes(n)));
}

/** The control plane's API and audit logs are kept. */
export const clusterAuditLogging = stackPolicy({
    name: "cluster-audit-logging",
    description: "Control-plane API and audit logs are enabled (EKS log types, GKE APISERVER logs, an AKS diagnostic setting with kube-audit).",
    severity: "high",
    topics: ["cluster", "logging"],
    scope: "all",
    blocks: "clusters without control-plane audit logs",
    remedy: "set delivery:cluster.logging: true",
    resourceTypes: [...CLUSTER_TYPES, AZURE_DIAGNOSTIC_SETTING],
    validate: ({ resources, report }) => {
        const settings = resources.filter((r) => isAzureDiagnosticSetting(r.type));
        for (const cluster of resources.filter((r) => isCluster(r.type))) {
            const what = describeCluster(cluster.type, cluster.name);
            switch (kindOf(cluster.type)) {
                case "EKS": {
                    const enabled = eksLogTypes(cluster.type, cluster.props);
                    const missing = REQUIRED_EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
                    if (missing.length > 0) {
                        report(`${what} does not log ${missing.join(", ")} (${isAwsNative(cluster.type) ? "logging.clusterLogging.enabledTypes" : "enabledClusterLogTypes"}: ${JSON.stringify(enabled)})`, cluster);
                    }
                    break;
                }
                case "GKE": {
                    const components = list(cluster.props, "loggingConfig", "enableComponents");
                    const missing = REQUIRED_GKE_COMPONENTS.filter((c) => !components.includes(c));
                    if (missing.length > 0) {
                        report(`${what} does not send ${missing.join(", ")} logs to Cloud Logging (loggingConfig.enableComponents: ${JSON.stringify(components)})`, cluster);
                    }
                    break;
                }
                case "AKS":
                    if (!settings.some((s) => targets(s, cluster) && sendsAksAudit(s))) {
                        report(`${what} has no diagnostic setting that sends ${AKS_AUDIT_CATEGORIES.join(" or ")} logs to a workspace`, cluster);
                    }
                    break;
            }
        }
    },
});

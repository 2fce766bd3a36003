import { stackPolicy } from "../lib/define";
import { list, peek, read, stringMap } from "../lib/props";
import { isRecord } from "../lib/record";
import { WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, namespaceOf, podSpecOf } from "../lib/workloads";

export const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
export const EKS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const LOG_ANALYTICS_WORKSPACE = "azure-native:operationalinsights:Workspace";
export const GCP_LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
const RECORD_TYPE = "kubernetes:core/v1:ConfigMap";
const QUIET_ENOUGH = ["info", "warn", "warning", "error"];

/** Annotations of the pods a workload creates. */
function podAnnotations(p: unknown): Record<string, string> {
    return stringMap(p, "spec", "template", "metadata", "annotations");
}

/**
 * Production stays observable, judged on what reaches the cluster: the app's workloads (those in
 * the namespace holding its release record) log at info or quieter (LOG_LEVEL in every container
 * that sets it) and are scraped (prometheus.io/scrape pod annotations, or a ServiceMonitor), and
 * control-plane logs are kept at least `minimumRetentionDays` (EKS log group, AKS workspace, the
 * GKE project's _Default Cloud Logging bucket).
 */
export const workloadObservabilityProduction = stackPolicy({
    name: "workload-observability-production",
    description: "Production keeps the app's metrics scraped, its logs at info or quieter, and control-plane log retention at or above a floor.",
    severity: "medium",
    topics: ["observability", "logging"],
    scope: "production",
    blocks: "production apps logging at debug or not scraped for metrics, and control-plane log retention below the floor",
    remedy: "keep delivery:app.logLevel at info (or warn, error), delivery:observability.metrics.enabled true (or serviceMonitor), and observability.logs.retentionDays at or above the floor",
    params: {
        minimumRetentionDays: { type: "integer", minimum: 1, default: 30, description: "Shortest allowed control-plane log retention in production, in days." },
    },
    resourceTypes: [...WORKLOAD_TYPES, RECORD_TYPE, SERVICE_MONITOR, EKS_LOG_GROUP, LOG_ANALYTICS_WORKSPACE, GCP_LOG_BUCKET],
    validate: ({ resources, config, report }) => {
        const appNamespaces = new Set(resources.filter((r) => isRecord(r)).map((r) => namespaceOf(r.props)).filter((n): n is string => n !== undefined));
        const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type) && appNamespaces.has(namespaceOf(r.props) ?? ""));
        for (const w of workloads) {
            for (const c of containersOf(podSpecOf(w.type, w.props))) {
                const level = list(c.spec, "env").find((e) => read(e, "name") === "LOG_LEVEL");
                const value = level === undefined ? undefined : peek(level, "value");
                if (typeof value === "string" && !QUIET_ENOUGH.includes(value.toLowerCase())) {
                    report(`${describeWorkload(w.type, w.name)} ${c.label} logs at ${value} (LOG_LEVEL) in production`, w);
                }
            }
        }
        const scraped = workloads.some((w) => podAnnotations(w.props)["prometheus.io/scrape"] === "true") ||
            resources.some((r) => r.type === SERVICE_MONITOR && appNamespaces.has(namespaceOf(r.props) ?? ""));
        const apps = workloads.filter((w) => !w.type.endsWith(":Job") && !w.type.endsWith(":CronJob"));
        if (apps.length > 0 && !scraped) {
            report(`no metrics are scraped from the app in production: no workload in ${[...appNamespaces].join(", ")} has prometheus.io/scrape: "true" and there is no ServiceMonitor`, apps[0]);
        }
        const kinds: Record<string, string> = { [EKS_LOG_GROUP]: "log group", [LOG_ANALYTICS_WORKSPACE]: "Log Analytics workspace", [GCP_LOG_BUCKET]: "Cloud Logging bucket" };
        for (const r of resources.filter((x) => kinds[x.type] !== undefined)) {
            const days = peek(r.props, r.type === GCP_LOG_BUCKET ? "retentionDays" : "retentionInDays");
            const name = String(peek(r.props, r.type === GCP_LOG_BUCKET ? "bucketId" : "name") ?? r.name);
            if (r.type === EKS_LOG_GROUP && !name.startsWith("/aws/eks/")) {
                continue;
            }
            if (typeof days === "number" && days < config.minimumRetentionDays) {
                report(`${kinds[r.type]} ${name} keeps control-plane logs ${days} days, below the floor of ${config.minimumRetentionDays}`, r);
            }
        }
    },
});

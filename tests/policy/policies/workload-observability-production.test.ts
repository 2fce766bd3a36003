import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("workload-observability-production");
const REMEDY = "Remedy: keep delivery:app.logLevel at info (or warn, error), delivery:observability.metrics.enabled true (or serviceMonitor), and observability.logs.retentionDays at or above the floor.";
const NS = "storefront-prod";
const record = (stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } }, data: { version: "1.8.3" },
}, { stack });
const deployment = (logLevel: string, annotations: Record<string, string> = { "prometheus.io/scrape": "true" }, namespace = NS, stack = "prod") => resource("kubernetes:apps/v1:Deployment", "storefront", {
    metadata: { name: "storefront", namespace },
    spec: { template: { metadata: { annotations }, spec: { containers: [{ name: "app", image: "ghcr.io/acme/storefront:1.8.3", env: [{ name: "LOG_LEVEL", value: logLevel }] }] } } },
}, { stack });
const logGroup = (days: number) => resource("aws:cloudwatch/logGroup:LogGroup", "delivery-prod-logs", { name: "/aws/eks/delivery-prod/cluster", retentionInDays: days }, { stack: "prod" });

describe("workload-observability-production", () => {
    it("passes an app at info, scraped, with control-plane logs kept 90 days", async () => {
        passes(await checkStack(policy, [record(), deployment("info"), logGroup(90)]));
    });

    it("fails an app at debug in production", async () => {
        fails(await checkStack(policy, [record(), deployment("debug"), logGroup(90)]), `Deployment storefront container app logs at debug (LOG_LEVEL) in production. ${REMEDY}`);
    });

    it("fails an app nobody scrapes, unless a ServiceMonitor selects it", async () => {
        fails(await checkStack(policy, [record(), deployment("info", {}), logGroup(90)]),
            `no metrics are scraped from the app in production: no workload in ${NS} has prometheus.io/scrape: "true" and there is no ServiceMonitor. ${REMEDY}`);
        passes(await checkStack(policy, [record(), deployment("info", {}), logGroup(90),
            resource("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "storefront-metrics", { metadata: { name: "storefront", namespace: NS }, spec: {} }, { stack: "prod" })]));
    });

    it("fails control-plane log retention below the floor (EKS log group, AKS workspace), configurable", async () => {
        fails(await checkStack(policy, [record(), deployment("info"), logGroup(7)]),
            `log group /aws/eks/delivery-prod/cluster keeps control-plane logs 7 days, below the floor of 30. ${REMEDY}`);
        fails(await checkStack(policy, [record(), deployment("info"), resource("azure-native:operationalinsights:Workspace", "delivery-prod-logs", { retentionInDays: 14 }, { stack: "prod" })]),
            `Log Analytics workspace delivery-prod-logs keeps control-plane logs 14 days, below the floor of 30. ${REMEDY}`);
        fails(await checkStack(policy, [record(), deployment("info"), resource("gcp:logging/projectBucketConfig:ProjectBucketConfig", "delivery-prod-logs", { bucketId: "_Default", retentionDays: 20 }, { stack: "prod" })]),
            `Cloud Logging bucket _Default keeps control-plane logs 20 days, below the floor of 30. ${REMEDY}`);
        passes(await checkStack(policy, [record(), deployment("info"), logGroup(7)], { minimumRetentionDays: 7 }));
    });

    it("judges only the app's workloads (the platform's charts in other namespaces are not the app)", async () => {
        passes(await checkStack(policy, [record(), deployment("info"), logGroup(90), deployment("debug", {}, "external-secrets")]));
    });

    it("does not apply to staging", async () => {
        notApplicable(await checkStack(policy, [record("staging"), deployment("debug", {}, NS, "staging")]), "applies to production only");
    });
});

/**
 * Observability per environment: log format, metrics and tracing reach the app's rendered pods
 * (the bundled chart's names, or the paths a chart other than it names), control-plane log
 * retention per environment on each cloud, the ServiceMonitor, and the config's validation.
 */
import { strict as assert } from "assert";
import { cfg, ofType, one, rejects, runChain, runStack } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const app = (ev: Awaited<ReturnType<typeof runStack>>) => ofType(ev, DEPLOYMENT).find((d) => d.rendered && ["storefront", "storefront-blue"].includes(d.inputs.metadata.name))!;
const env = (d: { inputs: any }) => Object.fromEntries((d.inputs.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
const AZURE = cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" }, resourceGroup: null });

describe("observability per environment", () => {
    it("dev: text logs at debug, every trace sampled, scraped; control-plane logs kept 7 days", async () => {
        const ev = await runStack("dev");
        const d = app(ev);
        assert.deepEqual([env(d).LOG_LEVEL, env(d).LOG_FORMAT, env(d).OTEL_EXPORTER_OTLP_ENDPOINT, env(d).OTEL_TRACES_SAMPLER, env(d).OTEL_TRACES_SAMPLER_ARG],
            ["debug", "text", "http://otel-collector.observability:4318", "parentbased_traceidratio", "1"]);
        assert.deepEqual(d.inputs.spec.template.metadata.annotations, { "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": "8080" });
        assert.equal(one(ev, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 7);
    });

    it("prod: JSON logs at info, 5 % of traces, control-plane logs kept 90 days", async () => {
        const ev = (await runChain("prod")).target;
        const d = app(ev);
        assert.deepEqual([env(d).LOG_LEVEL, env(d).LOG_FORMAT, env(d).OTEL_TRACES_SAMPLER_ARG], ["info", "json", "0.05"]);
        assert.equal(one(ev, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 90);
    });

    it("staging keeps control-plane logs 30 days by default; AKS takes the same retention", async () => {
        const ev = await runStack("staging", AZURE, cfg("secrets", null));
        assert.equal(one(ev, "azure-native:operationalinsights:Workspace").inputs.retentionInDays, 30);
        assert.equal((await runStack("staging", cfg("observability", { logs: { retentionDays: 45 } }))).resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!.inputs.retentionInDays, 45);
    });

    it("GKE: the project's _Default Cloud Logging bucket keeps the stack's retention", async () => {
        const gcp = cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123", nodes: { size: "e2-standard-4" } });
        const ev = await runStack("staging", gcp, cfg("secrets", null), cfg("budget", { billingAccount: "012345-6789AB-CDEF01" }));
        const bucket = one(ev, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
        assert.deepEqual([bucket.inputs.project, bucket.inputs.location, bucket.inputs.bucketId, bucket.inputs.retentionDays], ["acme-prod-123", "global", "_Default", 30]);
    });

    it("no tracing endpoint: no OTEL variables; metrics off: no scrape annotations", async () => {
        const ev = await runStack("dev", cfg("observability", { tracing: { endpoint: null }, metrics: { enabled: false } }));
        const d = app(ev);
        assert.equal(Object.keys(env(d)).some((k) => k.startsWith("OTEL_")), false);
        assert.equal(d.inputs.spec.template.metadata.annotations, undefined);
    });

    it("a ServiceMonitor for the app's Service when asked", async () => {
        const ev = await runStack("dev", cfg("observability", { metrics: { serviceMonitor: true, interval: "15s" } }));
        const sm = one(ev, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        assert.deepEqual([sm.inputs.metadata.namespace, sm.inputs.spec.selector, sm.inputs.spec.endpoints],
            ["storefront-dev", { matchLabels: { "app.kubernetes.io/instance": "storefront" } }, [{ port: "http", path: "/metrics", interval: "15s" }]]);
        assert.equal(ofType(await runStack("dev"), "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").length, 0);
    });

    it("a chart other than the bundled one gets the settings at the paths it names", async () => {
        const shop = {
            "delivery:chart": { path: "tests/fixtures/charts/umbrella", imageValues: { tag: "global.image.tag" } },
            ...cfg("observability", { values: { logLevel: "global.logLevel", tracingEndpoint: "global.otel.endpoint", sampleRatio: "global.otel.ratio" } }),
        };
        const chart = one(await runStack("dev", shop), "kubernetes:helm.sh/v4:Chart");
        assert.deepEqual([chart.inputs.values.global.logLevel, chart.inputs.values.global.otel], ["debug", { endpoint: "http://otel-collector.observability:4318", ratio: 1 }]);
        assert.equal(chart.inputs.values.observability, undefined, "the bundled chart's names are not given to a chart that does not use them");
    });

    it("a path the chart's values.schema.json does not accept is refused, naming observability", async () => {
        const spark = {
            "delivery:chart": { path: "tests/fixtures/charts/spark-connect", imageValues: { repository: "connect.image.repository", tag: "connect.image.tag" } },
            ...cfg("observability", { values: { logLevel: "connect.logLevel" } }),
        };
        await rejects(runStack("dev", spark),
            "delivery:observability (chart value connect.logLevel): is not a value this chart accepts (values.schema.json allows no such key) (checked against tests/fixtures/charts/spark-connect/values.schema.json)");
    });

    it("refuses a bad format, a retention and a sample share out of range, a bad endpoint, a bad path, and env vars the chart sets", async () => {
        await rejects(runStack("prod", cfg("observability", {
            logs: { format: "xml", retentionDays: 0 }, tracing: { endpoint: "otel:4318", samplePercent: 150 }, values: { logLevel: "a..b" },
        })),
        'delivery:observability.logs.format: must be one of json, text; got "xml"',
        "delivery:observability.logs.retentionDays: must be between 1 and 3653, got 0",
        'delivery:observability.tracing.endpoint: must be an http(s) URL; got "otel:4318"',
        "delivery:observability.tracing.samplePercent: must be between 0 and 100, got 150",
        'delivery:observability.values.logLevel: must be a dotted path into the chart\'s values; got "a..b"');
        await rejects(runStack("dev", cfg("app", { env: { LOG_FORMAT: "text", OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318" } })),
            "delivery:app.env.LOG_FORMAT: overrides a variable the chart sets from delivery:observability.logs.format",
            "delivery:app.env.OTEL_EXPORTER_OTLP_ENDPOINT: overrides a variable the chart sets from delivery:observability.tracing");
    });
});

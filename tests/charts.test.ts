/**
 * Any chart, per-stack values, and the policy pack on what the chart really renders: the shipped
 * stacks switched to charts nobody here wrote the program for (a nested-values Spark Connect chart,
 * an umbrella chart, a chart whose templates hard-code unsafe settings) through delivery:chart,
 * delivery:valuesFiles and delivery:values alone.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Evaluation } from "../tools/offline/evaluate";
import { PolicyCheckResult, checkPolicies, mandatoryViolations, policyConfigFile } from "../tools/offline/policy-check";
import { ConfigMap } from "../tools/offline/stackfile";
import { appChart, asUpstream, ofType, rejects, runChain, soakedFor } from "./harness";

const DEV = "organization/delivery/dev";
const STAGING = "organization/delivery/staging";
const CHARTS = "tests/fixtures/charts";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** prod's policy config, with the fixture charts' directory allowed as a chart source. */
function prodPolicyConfig(): string {
    const cfg = JSON.parse(fs.readFileSync(policyConfigFile("prod"), "utf8"));
    cfg["helm-release-chart-source"] = {
        allowedSources: ["./charts/", `./${CHARTS}/`, "https://charts.external-secrets.io/", "https://bitnami-labs.github.io/sealed-secrets/", "https://charts.jetstack.io/", "https://kubernetes-sigs.github.io/external-dns/"],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "delivery-policy-")), "prod.json");
    fs.writeFileSync(file, JSON.stringify(cfg));
    return file;
}

const SPARK_CHART = {
    "delivery:chart": {
        path: `${CHARTS}/spark-connect`,
        imageValues: { repository: "connect.image.repository", tag: "connect.image.tag", digest: "connect.image.digest" },
    },
};

/** dev → staging → prod, each with its overrides, upstream first. */
async function chain(overrides: Record<"dev" | "staging" | "prod", ConfigMap[]>): Promise<Record<"dev" | "staging" | "prod", Evaluation>> {
    const dev = (await runChain("dev", overrides.dev)).target;
    const staging = (await soakedFor("prod", () => runChain("staging", overrides.staging, { [DEV]: asUpstream(dev) }))).target;
    const prod = (await runChain("prod", overrides.prod, { [STAGING]: asUpstream(staging) })).target;
    return { dev, staging, prod };
}

const deployments = (ev: Evaluation) => ofType(ev, DEPLOYMENT).filter((r) => r.rendered);
const failing = (r: PolicyCheckResult) => [...new Set(mandatoryViolations(r).map((v) => v.policy))].sort();

describe("charts: any chart, per-stack values, policies on rendered objects", () => {
    describe("the shipped stacks on a nested-values chart (Spark Connect) through delivery:chart and delivery:values", () => {
        let stacks: Record<"dev" | "staging" | "prod", Evaluation>;
        before(async () => {
            stacks = await chain({
                dev: [SPARK_CHART, { "delivery:values": { connect: { replicas: 1, dynamicAllocation: { enabled: true, maxExecutors: 2 } } } }],
                staging: [SPARK_CHART, { "delivery:values": { connect: { replicas: 2, pdb: { enabled: true, minAvailable: 1 } } } }],
                // The chart has no scrape annotations: prod's metrics come from a ServiceMonitor.
                prod: [SPARK_CHART, { "delivery:valuesFiles": ["tests/fixtures/values/spark-prod.yaml"] }, { "delivery:observability": { metrics: { serviceMonitor: true } } }],
            });
        });

        it("renders each stack's own values into the objects, and the promoted release into the image", () => {
            const replicas = (ev: Evaluation) => deployments(ev).map((d) => d.inputs.spec.replicas);
            assert.deepEqual([replicas(stacks.dev), replicas(stacks.staging), replicas(stacks.prod)], [[1], [2], [3]]);
            for (const ev of Object.values(stacks)) {
                const [d] = deployments(ev);
                // prod runs blue-green: its release is a colour's (storefront-blue).
                const rel = appChart(ev);
                assert.equal(d.name, `${rel.name}:${ev.outputs.namespace}/${rel.inputs.name}-connect`);
                assert.equal(d.inputs.spec.template.spec.containers[0].image, "ghcr.io/acme/storefront:1.8.3");
                assert.equal(d.inputs.metadata.namespace, ev.outputs.namespace);
            }
            const conf = ofType(stacks.prod, "kubernetes:core/v1:ConfigMap").find((c) => c.name.endsWith("spark-defaults"))!;
            assert.match(conf.inputs.data["spark-defaults.conf"], /spark.dynamicAllocation.maxExecutors 40/);
            assert.deepEqual(ofType(stacks.prod, "kubernetes:policy/v1:PodDisruptionBudget").map((p) => p.inputs.spec.minAvailable), [2]);
            assert.deepEqual(ofType(stacks.dev, "kubernetes:policy/v1:PodDisruptionBudget"), []);
        });

        it("records the chart's identity (name, version, source, digest) in the promotion record, the same down the chain", () => {
            const release = (ev: Evaluation) => ev.outputs.release as Record<string, string>;
            assert.equal(release(stacks.prod).chart, "spark-connect");
            assert.equal(release(stacks.prod).chartVersion, "1.4.0");
            assert.equal(release(stacks.prod).chartSource, `${CHARTS}/spark-connect`);
            assert.match(release(stacks.prod).chartDigest, /^sha256:[0-9a-f]{64}$/);
            assert.deepEqual(release(stacks.prod), release(stacks.dev));
        });

        it("is clean in prod at 3 replicas with a budget and zone spread", async () => {
            const result = await checkPolicies(stacks.prod.resources, { stack: "prod", configFile: prodPolicyConfig() });
            assert.deepEqual(mandatoryViolations(result), []);
        });

        it("is blocked in prod at 1 replica, naming the rendered object and the stack key to change", async () => {
            const { target } = await runChain("prod", [SPARK_CHART, { "delivery:valuesFiles": ["tests/fixtures/values/spark-prod.yaml"] }, { "delivery:values": { connect: { replicas: 1 } } }],
                { [STAGING]: asUpstream(stacks.staging) });
            const result = await checkPolicies(target.resources, { stack: "prod", configFile: prodPolicyConfig() });
            const v = mandatoryViolations(result).find((x) => x.policy === "workload-replicas-minimum");
            assert.ok(v, JSON.stringify(mandatoryViolations(result)));
            assert.equal(v.resourceName, "storefront-blue-chart:storefront-prod/storefront-blue-connect");
            assert.match(v.message, /Deployment storefront-blue-chart:storefront-prod\/storefront-blue-connect runs 1 replica/);
            assert.match(v.message, /raise delivery:values connect\.replicas \(now 1\) to 3 or more/);
        });

        it("refuses a staging that promotes a release of another chart", async () => {
            await rejects(runChain("staging", [], { [DEV]: asUpstream(stacks.dev) }), "which runs chart spark-connect, but this stack deploys chart app");
        });

        it("refuses a prod whose chart directory has the upstream's name and version but other templates (it would run under the upstream's record and source)", async () => {
            // A copy of the chart with one more template, in a directory no policy allows (tests/.charts is ignored by git).
            const copy = path.join("tests", ".charts", "spark-connect-edited");
            fs.rmSync(copy, { recursive: true, force: true });
            fs.cpSync(`${CHARTS}/spark-connect`, copy, { recursive: true });
            fs.writeFileSync(path.join(copy, "templates", "extra.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra }\ndata: { a: b }\n");
            await rejects(runChain("prod", [{ "delivery:chart": { ...SPARK_CHART["delivery:chart"], path: copy } }], { [STAGING]: asUpstream(stacks.staging) }),
                `which runs chart spark-connect ${stacks.staging.outputs.release && (stacks.staging.outputs.release as { chartVersion: string }).chartVersion} from ${CHARTS}/spark-connect (sha256:`,
                `but ${copy} here has the same name and version with other contents (sha256:`, "deploy this commit to staging first");
        });
    });

    describe("values: files, the inline map, the chart's schema, and the paths promotion owns", () => {
        const prodWith = (...o: ConfigMap[]) => runChain("prod", [SPARK_CHART, ...o]);

        it("reports a values file that does not exist or does not parse, naming it", async () => {
            await rejects(prodWith({ "delivery:valuesFiles": ["tests/fixtures/values/missing.yaml", "tests/fixtures/values/broken.yaml"] }),
                "delivery:valuesFiles[0]: names tests/fixtures/values/missing.yaml, which does not exist",
                "delivery:valuesFiles[1]: tests/fixtures/values/broken.yaml is not valid YAML");
        });

        it("checks the merged values against the chart's values.schema.json: every problem, with the key or file it came from", async () => {
            const msg = await rejects(prodWith(
                { "delivery:valuesFiles": ["tests/fixtures/values/spark-prod.yaml"] },
                { "delivery:values": { connect: { replicas: "three", dynamicAllocation: { maxExecutor: 4, executorIdleTimeout: "1 hour" } } } },
            ), 'Invalid configuration for stack "prod"',
            "delivery:values.connect.replicas: must be integer",
            "delivery:values.connect.dynamicAllocation.maxExecutor: is not a value this chart accepts",
            "delivery:values.connect.dynamicAllocation.executorIdleTimeout: must match pattern");
            assert.ok(!msg.includes("1 hour"), "a value is never echoed");
        });

        it("names the values file when the bad value came from it", async () => {
            const file = path.join("tests", "fixtures", "values", "spark-bad-port.yaml");
            fs.writeFileSync(file, "connect:\n  port: 80\n");
            try {
                await rejects(prodWith({ "delivery:valuesFiles": [file] }),
                    "delivery:valuesFiles[0] → connect.port: must be >= 1024 (set in tests/fixtures/values/spark-bad-port.yaml; checked against tests/fixtures/charts/spark-connect/values.schema.json)");
            } finally {
                fs.rmSync(file);
            }
        });

        it("refuses values that set a path promotion owns", async () => {
            await rejects(prodWith({ "delivery:values": { connect: { image: { tag: "9.9.9" } } } }),
                "delivery:values: sets connect.image.tag, where promotion puts the release's image tag (delivery:chart.imageValues.tag); the release decides it");
        });

        it("requires imageValues for a chart that does not follow the bundled chart's value names", async () => {
            await rejects(runChain("prod", [{ "delivery:chart": { path: `${CHARTS}/spark-connect` } }]),
                "delivery:chart.imageValues: must name where the promoted release lands in this chart's values");
        });

        it("refuses chart paths outside the project, versions on directories and ranges on repositories", async () => {
            await rejects(runChain("prod", [{ "delivery:chart": { path: "../elsewhere" } }]), "delivery:chart.path: must be a directory inside the project");
            await rejects(runChain("prod", [{ "delivery:chart": { path: "charts/app", version: "1.0.0" } }]), "delivery:chart.version: is only used with chart.repository");
            await rejects(runChain("prod", [{ "delivery:chart": { repository: "https://charts.acme.io", name: "storefront", version: "^1.2.0" } }]),
                "delivery:chart.version: must be an exact chart version");
        });
    });

    describe("a chart whose templates hard-code unsafe settings no value names", () => {
        const HARD = { "delivery:chart": { path: `${CHARTS}/hardcoded-unsafe`, imageValues: { repository: "image.repository", tag: "image.tag" } } };
        let dev: Evaluation;
        let prod: Evaluation;
        before(async () => {
            const stacks = await chain({ dev: [HARD], staging: [HARD], prod: [HARD] });
            dev = stacks.dev;
            prod = stacks.prod;
        });

        it("is blocked in prod for what the rendered objects do", async () => {
            const result = await checkPolicies(prod.resources, { stack: "prod", configFile: prodPolicyConfig() });
            assert.deepEqual(failing(result), [
                "role-least-privilege", "workload-container-hygiene", "workload-disruption-budget", "workload-health-probes", "workload-host-namespaces",
                "workload-observability-production", "workload-pod-security-restricted", "workload-privilege-escalation", "workload-privileged", "workload-read-only-root-filesystem",
                "workload-replicas-minimum", "workload-resource-limits", "workload-rollout-keeps-serving", "workload-run-as-non-root",
                "workload-service-account",
            ]);
            const privileged = mandatoryViolations(result).find((v) => v.policy === "workload-privileged")!;
            assert.equal(privileged.message.split(".")[0], "Deployment storefront-blue-chart:storefront-prod/storefront-blue-agent container agent is privileged (securityContext");
        });

        it("only advises in dev", async () => {
            const result = await checkPolicies(dev.resources, { stack: "dev" });
            assert.deepEqual(mandatoryViolations(result), []);
            assert.ok(result.violations.some((v) => v.policy === "workload-privileged" && v.level === "advisory"));
        });
    });

    describe("an umbrella chart (api and web subcharts)", () => {
        const SHOP = { "delivery:chart": { path: `${CHARTS}/umbrella`, imageValues: { tag: "global.image.tag" } } };

        it("renders both subcharts' objects and blocks the one sized too small, naming its value", async () => {
            const stacks = await chain({ dev: [SHOP], staging: [SHOP], prod: [SHOP, { "delivery:values": { api: { replicas: 3 }, web: { replicas: 1 } } }, { "delivery:observability": { metrics: { serviceMonitor: true } } }] });
            assert.deepEqual(deployments(stacks.prod).map((d) => [d.inputs.metadata.name, d.inputs.spec.replicas]), [["storefront-blue-api", 3], ["storefront-blue-web", 1]]);
            assert.equal(deployments(stacks.prod)[1].inputs.spec.template.spec.containers[0].image, "ghcr.io/acme/shop-web:1.8.3");
            const result = await checkPolicies(stacks.prod.resources, { stack: "prod", configFile: prodPolicyConfig() });
            const v = mandatoryViolations(result);
            assert.deepEqual(v.map((x) => [x.policy, x.resourceName]), [["workload-replicas-minimum", "storefront-blue-chart:storefront-prod/storefront-blue-web"]]);
            assert.match(v[0].message, /raise delivery:values web\.replicas \(now 1\)/);
        });
    });
});

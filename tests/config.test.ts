import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigValidationError, StackConfig, environmentFromStackName, parseConfig } from "../config";
import { readConfigFile, stackFile, toProgramConfig } from "../tools/offline/stackfile";
import { ConfigMap, cfg, rejects, runStack, stackConfig, NO_DNS } from "./harness";

/**
 * Parses the real stack file `fileStack` plus overrides as the stack named `as` would see it,
 * without running the program.
 */
function parse(fileStack: string, overrides: ConfigMap[] = [], as = fileStack): StackConfig {
    const program = toProgramConfig("delivery", {}, stackConfig(fileStack, ...overrides));
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(program.values)) {
        if (k.startsWith("delivery:")) {
            values[k.slice("delivery:".length)] = v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v;
        }
    }
    const secretKeys = new Set(program.secretKeys.filter((k) => k.startsWith("delivery:")).map((k) => k.slice("delivery:".length)));
    return parseConfig({ project: "delivery", stack: as, values, secretKeys });
}

function rejected(fileStack: string, overrides: ConfigMap[], as = fileStack): ConfigValidationError {
    try {
        parse(fileStack, overrides, as);
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            return e;
        }
        throw e;
    }
    return assert.fail("expected the configuration to be rejected");
}

describe("configuration", () => {
    describe("environment detection", () => {
        for (const [stack, env] of [
            ["dev", "development"], ["development", "development"], ["stage", "staging"], ["staging", "staging"],
            ["prod", "production"], ["production", "production"], ["acme/delivery/prod", "production"], ["prod-eu", "production"],
        ]) {
            it(`stack "${stack}" is ${env}`, () => assert.equal(environmentFromStackName(stack), env));
        }

        it("an unknown stack name without delivery:environment is an error naming the stack and the key", () => {
            const e = rejected("dev", [], "qa");
            assert.match(e.message, /Invalid configuration for stack "qa"/);
            assert.match(e.message, /delivery:environment: is not set and the stack name "qa" does not name an environment/);
            assert.match(e.message, /e\.g\. delivery:environment = production/);
        });

        it("an explicit delivery:environment wins over the stack name", () => {
            assert.equal(parse("dev", [cfg("environment", "dev")], "qa").environment, "development");
        });

        it("an explicit environment that is not one of the three is refused", () => {
            const e = rejected("dev", [cfg("environment", "testing")]);
            assert.match(e.message, /delivery:environment: must be development, staging or production \(or dev, stage, prod\); got "testing"/);
        });
    });

    it("the three shipped stack files parse and hold realistic, growing sizing", () => {
        const [dev, staging, prod] = ["dev", "staging", "prod"].map((s) => parse(s));
        assert.deepEqual([dev.environment, staging.environment, prod.environment], ["development", "staging", "production"]);
        assert.equal(dev.app.replicas, 1);
        assert.ok(dev.cluster.nodes.min >= 1 && dev.cluster.nodes.max <= 2, "dev runs on 1–2 nodes");
        assert.equal(staging.app.replicas, 2);
        assert.ok(prod.app.replicas >= 3 && prod.app.autoscaling.enabled && prod.app.pdb.enabled);
        assert.ok(prod.cluster.zones.length >= 3 && prod.app.spreadAcrossZones);
        assert.equal(prod.cluster.protect, true);
        assert.equal(prod.cluster.privateEndpoint, true);
        assert.equal(prod.namespace.podSecurity, "restricted");
    });

    it("no shipped stack file holds a plaintext value under a secret-looking key", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const text = JSON.stringify(readConfigFile(stackFile(stack)));
            assert.doesNotMatch(text, /"(password|token|apiKey|secretKey|privateKey|kubeconfig)":"/i, stack);
        }
    });

    it("reads anchors, aliases and merge keys (<<) in a stack file as the Pulumi CLI does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-yaml-"));
        const file = path.join(dir, "overrides.yaml");
        fs.writeFileSync(file, [
            "config:",
            "  delivery:app:",
            "    resources:",
            "      requests: &small { cpu: 100m, memory: 128Mi }",
            "      limits: { <<: *small, cpu: 500m }",
            "",
        ].join("\n"));
        try {
            assert.deepEqual(readConfigFile(file, "dev"), {
                "delivery:app": { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "128Mi" } } },
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("validation", () => {
        it("reports every problem at once, each with its key and an example", () => {
            const e = rejected("prod", [
                cfg("app", { replicas: "three", image: "ghcr.io/acme/storefront:latest", logLevel: "verbose" }),
                cfg("cluster", { version: 1.3, nodes: { min: 5, max: 2 } }),
            ]);
            assert.equal(e.issues.length, 5, e.message);
            assert.match(e.message, /\(5 problems\); nothing was deployed/);
            assert.match(e.message, /delivery:app\.replicas: must be a whole number, got "three"\n\s+e\.g\. delivery:app\.replicas = 3/);
            assert.match(e.message, /delivery:app\.image: must be an image repository without tag or digest \(the release sets those\); got "ghcr.io\/acme\/storefront:latest"/);
            assert.match(e.message, /delivery:app\.logLevel: must be one of debug, info, warn, error; got "verbose"/);
            assert.match(e.message, /delivery:cluster\.version: must be a quoted string, got the number 1.3 \(YAML drops trailing zeros\)/);
            assert.match(e.message, /delivery:cluster\.nodes\.max: must be at least cluster\.nodes\.min \(5\), got 2/);
        });

        it("catches misspelled keys", () => {
            const e = rejected("dev", [cfg("app", { replicaCount: 2 }), cfg("clusters", {})]);
            assert.match(e.message, /delivery:app\.replicaCount: is not a known setting/);
            assert.match(e.message, /delivery:clusters: is not a known setting/);
        });

        it("refuses a release version that is not semantic, and latest as a tag", () => {
            const e = rejected("dev", [cfg("release", { version: "latest", imageTag: "latest" })]);
            assert.match(e.message, /delivery:release\.version: must be a semantic version \(never latest\); got "latest"/);
            assert.match(e.message, /delivery:release\.imageTag: must not be latest/);
        });

        it("requires the cloud settings of the chosen provider", () => {
            const e = rejected("dev", [cfg("cluster", { provider: "gcp", region: null, zones: null })]);
            assert.match(e.message, /delivery:cluster\.region: is required but not set/);
            assert.match(e.message, /delivery:cluster\.zones: must list at least one zone for gcp/);
            assert.match(e.message, /delivery:cluster\.project: is required but not set\n\s+e\.g\. delivery:cluster\.project = acme-prod-123/);
        });

        it("refuses a PodDisruptionBudget that would block every drain", () => {
            const e = rejected("staging", [cfg("app", { autoscaling: { enabled: false }, replicas: 2, pdb: { minAvailable: 2 } })]);
            assert.match(e.message, /delivery:app\.pdb\.minAvailable: is 2 but app\.replicas is 2: node drains could never evict a pod/);
        });

        it("refuses a release on staging or prod: they take theirs from upstream", () => {
            const e = rejected("prod", [cfg("release", { version: "2.0.0" })]);
            assert.match(e.message, /delivery:release: is only set on development stacks; production takes its release from staging/);
        });

        it("refuses promoting prod straight from dev", () => {
            const e = rejected("prod", [cfg("promotion", { from: "organization/delivery/dev" })]);
            assert.match(e.message, /delivery:promotion\.from: promotes production from a development stack \(organization\/delivery\/dev\); only staging → production is allowed/);
        });

        it("reads the smoke check with its defaults, and reports every bad field of it at once", () => {
            const smoke = parse("prod").verification.smoke!;
            assert.deepEqual(smoke, { image: "ghcr.io/acme/smoke-check:1.4.0", service: "storefront", port: 80, path: "/healthz", expectStatus: 200, timeoutSeconds: 300 });
            assert.equal(parse("prod", [cfg("verification", { smoke: { enabled: false } })]).verification.smoke, undefined);
            const e = rejected("prod", [cfg("verification", { smoke: { image: "Not An Image", path: "healthz", expectStatus: 42, timeout: "3s", retries: 2 } })]);
            assert.equal(e.issues.length, 5, e.message);
            assert.match(e.message, /delivery:verification\.smoke\.image: must be an image reference/);
            assert.match(e.message, /delivery:verification\.smoke\.path: must be a URL path starting with \//);
            assert.match(e.message, /delivery:verification\.smoke\.expectStatus: must be .*100/);
            assert.match(e.message, /delivery:verification\.smoke\.timeout: must be between 10s and 1h; got "3s"/);
            assert.match(e.message, /delivery:verification\.smoke\.retries/);
        });

        it("refuses a smoke check when nothing waits for the rollout", () => {
            const e = rejected("staging", [cfg("helm", { wait: false })]);
            assert.match(e.message, /delivery:verification\.smoke: needs helm\.wait: true/);
        });

        it("reads an override of soak or freeze only with a reason, and never of policy", () => {
            assert.deepEqual(parse("prod", [cfg("override", { gates: ["soak"], reason: "INC-2300: checkout hotfix" })]).override,
                { gates: ["soak"], reason: "INC-2300: checkout hotfix" });
            const e = rejected("prod", [cfg("override", { gates: ["soak", "policy"], reason: "now" })]);
            assert.equal(e.issues.length, 2, e.message);
            assert.match(e.message, /delivery:override\.gates\[1\]: must be one of soak, freeze; got "policy" \(policy is never overridden\)/);
            assert.match(e.message, /delivery:override\.reason: must be a reason of at least 10 characters/);
            assert.match(rejected("prod", [cfg("override", { gates: [], reason: "INC-2300: checkout hotfix" })]).message, /delivery:override\.gates: is empty/);
        });

        it("reads freeze times written unquoted (a YAML timestamp, which the CLI passes in Go's layout) as the same instant", () => {
            const freeze = parse("prod", [cfg("freeze", [{ from: "2026-12-20 00:00:00 +0000 UTC", to: "2027-01-04 06:30:00 +0100 CET", reason: "year-end freeze" }])]).freeze;
            assert.deepEqual(freeze, [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T06:30:00+01:00", reason: "year-end freeze" }]);
            assert.match(rejected("prod", [cfg("freeze", [{ from: "20 Dec 2026", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }])]).message,
                /delivery:freeze\[0\]\.from: must be an RFC 3339 time with a zone; got "20 Dec 2026"/);
        });

        it("requires a reason for a pin", () => {
            const e = rejected("prod", [cfg("pin", { version: "1.8.2" })]);
            assert.match(e.message, /delivery:pin\.reason: is required but not set/);
        });

        it("refuses a plaintext kubeconfig and never shows its value", () => {
            const e = rejected("dev", [cfg("kubeconfig", "apiVersion: v1\nclusters: [topsecret]")]);
            assert.match(e.message, /delivery:kubeconfig: holds a plaintext value but must be a secret \(its value is not shown\)/);
            assert.doesNotMatch(e.message, /topsecret/);
        });

        it("accepts the kubeconfig as a secret", () => {
            const c = parse("dev", [NO_DNS, cfg("cluster", { provider: "existing" }), cfg("kubeconfig", { secure: "apiVersion: v1" }), cfg("secrets", null)]);
            assert.equal(c.kubeconfig, "apiVersion: v1");
        });
    });

    it("the program itself stops with the same validation message", async () => {
        await rejects(runStack("dev", cfg("app", { replicas: 0 })),
            'Invalid configuration for stack "dev"', "delivery:app.replicas: must be between 1 and 100, got 0");
    });
});

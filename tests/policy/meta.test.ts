/**
 * The pack as a whole: every policy has its file, its spec, complete metadata and a row in the
 * docs; the shipped policy configs fit the pack and give the levels the issue asks for.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PACK_NAME, PACK_VERSION, policies } from "../../policy/pack";
import { isStackPolicy } from "../../policy/lib/define";
import { loadPolicyConfig, policyConfigFile } from "../../tools/offline/policy-check";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (...p: string[]) => fs.readFileSync(path.join(ROOT, ...p), "utf8");
const RESOURCE_PREFIXES = [
    "cluster", "nodepool", "workload", "helm-release", "service", "ingress", "namespace", "clustersecretstore", "secretstore",
    "externalsecret", "clusterrolebinding", "role", "stackreference", "stack",
];

describe("policy pack", () => {
    it(`has at least 25 policies with unique <resource>-<check> names`, () => {
        assert.ok(policies.length >= 25, `only ${policies.length} policies`);
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length, "duplicate policy names");
        for (const name of names) {
            assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)+$/, `${name} is not kebab-case <resource>-<check>`);
            assert.ok(RESOURCE_PREFIXES.some((r) => name.startsWith(`${r}-`)), `${name} does not start with a resource (${RESOURCE_PREFIXES.join(", ")})`);
        }
    });

    for (const p of policies) {
        describe(p.name, () => {
            it("lives in policy/policies/<name>.ts and has a spec in tests/policy/policies/<name>.test.ts", () => {
                assert.ok(fs.existsSync(path.join(ROOT, "policy", "policies", `${p.name}.ts`)), "no policy file");
                const spec = path.join(ROOT, "tests", "policy", "policies", `${p.name}.test.ts`);
                assert.ok(fs.existsSync(spec), "no spec file");
                const text = fs.readFileSync(spec, "utf8");
                assert.ok(text.includes(`pack("${p.name}")`), "the spec does not load the policy from the pack");
                assert.ok(/\bpasses\(/.test(text) && /\bfails\(/.test(text), "the spec needs a compliant case and failing cases");
            });

            it("has complete metadata: description, mandatory default, severity, topics, scope, remedy, what it blocks", () => {
                assert.ok(p.description.length > 20 && /\.$/.test(p.description), "description");
                assert.equal(p.enforcementLevel, "mandatory", "a missing config file must be strict");
                assert.ok(p.severity && ["low", "medium", "high", "critical"].includes(p.severity), "severity");
                assert.ok(p.metadata.topics.length > 0, "topics");
                assert.deepEqual(p.tags?.slice(0, p.metadata.topics.length), [...p.metadata.topics], "topics are sent as the policy's tags");
                assert.ok(["all", "production"].includes(p.metadata.scope), "scope");
                assert.ok(p.remediationSteps && p.remediationSteps.length > 10, "remediationSteps");
                assert.ok(p.metadata.blocks.length > 10, "blocks (docs)");
                assert.ok(p.configSchema?.properties.environment, "every policy accepts environment in its config");
                for (const [k, v] of Object.entries(p.metadata.defaults)) {
                    assert.deepEqual(p.configSchema!.properties[k].default, v, `parameter ${k} has its default in the schema`);
                }
                assert.ok(isStackPolicy(p) || typeof p.validateResource === "function");
            });
        });
    }

    it("has no policy file that is not in the pack", () => {
        const files = fs.readdirSync(path.join(ROOT, "policy", "policies")).map((f) => f.replace(/\.ts$/, "")).sort();
        assert.deepEqual(files, policies.map((p) => p.name).sort());
    });

    it("is a nodejs pack whose index.ts only builds the PolicyPack from ./pack", () => {
        assert.equal((parseYaml(read("policy", "PulumiPolicy.yaml")) as { runtime: string }).runtime, "nodejs");
        const pkg = JSON.parse(read("policy", "package.json"));
        assert.equal(pkg.version, PACK_VERSION);
        assert.deepEqual(pkg.dependencies, { "@pulumi/policy": "1.21.0", "@pulumi/pulumi": "3.248.0" });
        const index = read("policy", "index.ts");
        assert.match(index, /new PolicyPack\(PACK_NAME, \{/);
        assert.match(index, /from "\.\/pack"/);
        for (const file of ["policy-check.ts", "policy-config.ts"]) {
            assert.doesNotMatch(read("tools", "offline", file), /from "[./]*policy(\/index)?"|new PolicyPack/, `${file} must not start the analyzer's server`);
        }
        assert.equal(PACK_NAME, pkg.name);
    });

    describe("runs as JavaScript: no preview type-checks the pack", () => {
        // policy/build.js is plain CommonJS; required from the repository as the analyzer requires it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const build = require(path.join(ROOT, "policy", "build.js")) as {
            ensureBuilt(): { dir: string; built: boolean }; sources(dir?: string): string[]; digest(files: string[], pack?: string): string;
        };

        it("package.json's main is the JavaScript entry, which loads the build of the current sources", () => {
            const pkg = JSON.parse(read("policy", "package.json"));
            assert.equal(pkg.main, "index.js");
            assert.match(read("policy", "index.js"), /require\("\.\/build"\)\.ensureBuilt\(\)\.dir, "index\.js"/);
            for (const f of ["index.js", "build.js", "bin/"]) {
                assert.ok(pkg.files.includes(f), `${f} is published with the pack (pulumi policy publish)`);
            }
            const { dir } = build.ensureBuilt();
            assert.equal(path.basename(dir), build.digest(build.sources()));
            assert.ok(build.sources().includes("index.ts") && build.sources().includes("pack.ts"));
            assert.ok(fs.existsSync(path.join(dir, "index.js")) && fs.existsSync(path.join(dir, "pack.js")));
        });

        it("the analyzer loads the pack as one file: the entry bundles the pack's modules, packages stay external", () => {
            const { dir } = build.ensureBuilt();
            const entry = fs.readFileSync(path.join(dir, "index.js"), "utf8");
            const required = [...entry.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
            assert.deepEqual(required.filter((r) => r.startsWith(".")), [], "no module of the pack is loaded on its own");
            assert.ok(required.includes("@pulumi/policy"), required.join(", "));
            // Every policy is in it.
            for (const p of policies) {
                assert.ok(entry.includes(JSON.stringify(p.name)) || entry.includes(`'${p.name}'`), `${p.name} is in the bundle`);
            }
        });

        it("the compiled pack holds the same policies, name and version as the sources", () => {
            const { dir } = build.ensureBuilt();
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const compiled = require(path.join(dir, "pack.js")) as { PACK_NAME: string; PACK_VERSION: string; policies: { name: string; enforcementLevel?: string }[] };
            assert.equal(compiled.PACK_NAME, PACK_NAME);
            assert.equal(compiled.PACK_VERSION, PACK_VERSION);
            assert.deepEqual(compiled.policies.map((p) => [p.name, p.enforcementLevel]), policies.map((p) => [p.name, p.enforcementLevel]));
        });

        it("a changed source gets a build of its own: a stale build is never loaded", () => {
            const copy = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-pack-"));
            try {
                fs.cpSync(path.join(ROOT, "policy"), copy, { recursive: true, filter: (f) => !f.includes(`${path.sep}bin`) });
                const files = build.sources(copy);
                assert.deepEqual(files, build.sources());
                const before = build.digest(files, copy);
                assert.equal(before, build.digest(build.sources()), "the same sources, the same build");
                fs.appendFileSync(path.join(copy, "lib", "quantity.ts"), "\n// changed\n");
                assert.notEqual(build.digest(files, copy), before);
            } finally {
                fs.rmSync(copy, { recursive: true, force: true });
            }
        });
    });

    it("documents every policy in docs/policies.md: what it blocks, severity, kind and its level per environment", () => {
        const rows = read("docs", "policies.md").split("\n");
        const configs = ["dev", "staging", "prod"].map((s) => [s, loadPolicyConfig(policyConfigFile(s))] as const);
        for (const p of policies) {
            const row = rows.find((l) => l.startsWith(`| \`${p.name}\` |`));
            assert.ok(row, `docs/policies.md has no row for ${p.name}`);
            const levels = configs.map(([stack, c]) => (p.metadata.scope === "production" && stack !== "prod" ? "—" : c[p.name].enforcementLevel));
            assert.deepEqual(row.split("|").slice(2, -1).map((c) => c.trim()),
                [p.metadata.blocks, p.severity, isStackPolicy(p) ? "stack" : "resource", ...levels], `row of ${p.name}`);
        }
    });
});

describe("shipped policy configs", () => {
    const levels = (stack: string) => Object.entries(loadPolicyConfig(policyConfigFile(stack))).map(([name, c]) => [name, c.enforcementLevel]);
    const GUARD = "stack-policy-config-environment";

    it("prod: every policy mandatory, except the report of emergency pins (a blocking report would block the emergency)", () => {
        assert.deepEqual(levels("prod"), policies.map((p) => [p.name, ["stack-emergency-pin", "stack-gate-override"].includes(p.name) ? "advisory" : "mandatory"]));
    });

    for (const stack of ["dev", "staging"]) {
        it(`${stack}: advisory, except the guard that refuses this config on production`, () => {
            assert.deepEqual(levels(stack), policies.map((p) => [p.name, p.name === GUARD ? "mandatory" : "advisory"]));
        });
    }

    it("each names its environment for the guard", () => {
        for (const [stack, env] of [["dev", "development"], ["staging", "staging"], ["prod", "production"]]) {
            assert.equal(loadPolicyConfig(policyConfigFile(stack))[GUARD].properties.environment, env);
        }
    });

    it("differ only in level, environment and production tuning", () => {
        const prod = JSON.parse(read("policy", "config", "prod.json"));
        const staging = JSON.parse(read("policy", "config", "staging.json"));
        assert.deepEqual(Object.keys(staging).filter((k) => !(k in prod)), []);
        assert.deepEqual(staging["cluster-endpoint-allowlist"], prod["cluster-endpoint-allowlist"]);
    });
});

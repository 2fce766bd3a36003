/**
 * policy/sdk-startup.js: the program (main.js) and the policy pack (policy/index.js) load
 * @pulumi/pulumi without its function-serialisation modules (TypeScript, npm's arborist), which
 * load on first use instead. Each case runs in a fresh Node process, as `pulumi` starts them.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const STARTUP = path.join(ROOT, "policy", "sdk-startup.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFERRED } = require(STARTUP) as { DEFERRED: Record<string, string[]> };
const SDK = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** Runs `script` in a fresh Node process in the repository; its last stdout line parsed as JSON. */
function node(script: string, env: NodeJS.ProcessEnv = {}): any {
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, DELIVERY_SDK_EAGER: "", ...env }, timeout: 60_000 });
    assert.equal(r.status, 0, `node exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "null");
}

/** What a process has loaded, for the heavy modules the deferral keeps out. */
const LOADED = `const f = Object.keys(require.cache);
const loaded = { typescript: f.some((x) => /node_modules\\/typescript\\//.test(x)), arborist: f.some((x) => x.includes("@npmcli/arborist")), automation: f.some((x) => /@pulumi\\/pulumi\\/automation\\/cmd\\.js$/.test(x)), files: f.length };`;

describe("SDK start-up (policy/sdk-startup.js)", () => {
    it("stands in for exactly the functions the installed SDK's modules export", () => {
        // Unwrapped: the real modules, as the SDK ships them.
        const real = node(`const out = {};
for (const f of ${JSON.stringify(Object.keys(DEFERRED))}) {
  const m = require(require("path").join(${JSON.stringify(SDK)}, f));
  out[f] = { functions: Object.keys(m).filter((k) => typeof m[k] === "function").sort(), esModule: m.__esModule === true };
}
console.log(JSON.stringify(out));`);
        for (const [file, names] of Object.entries(DEFERRED)) {
            // The stand-in answers __esModule without loading the module: true for each real one.
            assert.equal(real[file].esModule, true, `@pulumi/pulumi ${file} is not compiled TypeScript (__esModule)`);
            if (names.length > 0) {
                assert.deepEqual(real[file].functions, [...names].sort(), `@pulumi/pulumi ${file} exports ${real[file].functions}; policy/sdk-startup.js stands in for ${names}`);
            }
        }
    });

    it("keeps TypeScript and arborist out of a process that loads the SDK, and loads them when a function is serialised", async () => {
        const out = node(`const d = require(${JSON.stringify(STARTUP)}).deferFunctionSerialization(process.cwd());
const pulumi = require("@pulumi/pulumi");
${LOADED}
const before = loaded;
pulumi.runtime.serializeFunction(() => 6 * 7).then((s) => {
  ${LOADED}
  console.log(JSON.stringify({ deferred: d.length, before, after: loaded, text: s.text, codePaths: typeof pulumi.runtime.computeCodePaths }));
});`);
        assert.equal(out.deferred, 3);
        assert.equal(out.before.typescript, false, "TypeScript was loaded at start-up");
        assert.equal(out.before.arborist, false, "@npmcli/arborist was loaded at start-up");
        assert.equal(out.after.typescript, true, "serialising a function loads the real module (and TypeScript)");
        assert.match(out.text, /6 \* 7/);
        assert.equal(out.codePaths, "function");
    });

    it("keeps the Automation API out of a process that loads the SDK, and loads it on first use", () => {
        const out = node(`require(${JSON.stringify(STARTUP)}).deferFunctionSerialization(process.cwd());
const pulumi = require("@pulumi/pulumi");
${LOADED}
const before = loaded;
const viaIndex = pulumi.automation.LocalWorkspace;
const direct = require("@pulumi/pulumi/automation");
const star = Object.keys(direct).includes("LocalWorkspace");
let after;
{ ${LOADED} after = loaded; }
console.log(JSON.stringify({ before, after, kind: typeof viaIndex, same: viaIndex === direct.LocalWorkspace, star, stack: typeof direct.LocalWorkspace.createOrSelectStack }));`);
        assert.equal(out.before.automation, false, "the Automation API was loaded at start-up");
        assert.equal(out.after.automation, true);
        assert.equal(out.kind, "function");
        assert.equal(out.same, true, "pulumi.automation and @pulumi/pulumi/automation are one module");
        assert.equal(out.star, true, "enumerating the module loads it");
        assert.equal(out.stack, "function");
    });

    it("does nothing when turned off, or when the SDK's runtime is already loaded", () => {
        const off = node(`const d = require(${JSON.stringify(STARTUP)}).deferFunctionSerialization(process.cwd()); require("@pulumi/pulumi"); ${LOADED} console.log(JSON.stringify({ d: d.length, loaded }));`, { DELIVERY_SDK_EAGER: "1" });
        assert.equal(off.d, 0);
        assert.equal(off.loaded.typescript, true, "DELIVERY_SDK_EAGER=1 loads the SDK as it ships");
        const late = node(`require("@pulumi/pulumi"); console.log(JSON.stringify(require(${JSON.stringify(STARTUP)}).deferFunctionSerialization(process.cwd())));`);
        assert.deepEqual(late, []);
    });

    it("is installed by main.js before the program loads, and first thing by the policy pack", function () {
        this.timeout(120_000);
        // Build first (the builder itself loads TypeScript), then load main.js as the language host does.
        node(`require("./tools/build-program").ensureBuilt(); console.log("null")`);
        const out = node(`const program = require("./main.js"); ${LOADED} console.log(JSON.stringify({ kind: typeof program, loaded }));`);
        assert.equal(out.kind, "function", "main.js exports the program");
        assert.equal(out.loaded.typescript, false, "loading the program loaded TypeScript");
        assert.equal(out.loaded.arborist, false);
        assert.equal(out.loaded.automation, false, "loading the program loaded the Automation API");
        // The pack's entry point starts an analyzer when loaded; its first statement must be the deferral.
        const pack = fs.readFileSync(path.join(ROOT, "policy", "index.js"), "utf8");
        const firstRequire = pack.match(/require\([^)]*\)/)?.[0];
        assert.equal(firstRequire, `require("./sdk-startup")`, "policy/index.js must defer before it loads the pack");
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        assert.ok(pkg.files.includes("sdk-startup.js"), "the published pack ships sdk-startup.js");
    });
});

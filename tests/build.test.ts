/**
 * `pulumi preview/up` run the program as JavaScript: Pulumi.yaml's main.js loads bin/<digest>/,
 * which tools/build-program.js compiles from the sources on the first run after a change.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { evaluateProgram, stackConfig } from "../tools/offline/evaluate";

const ROOT = path.resolve(__dirname, "..");
const BUILDER = path.join(ROOT, "tools", "build-program.js");
// tools/build-program.js is plain CommonJS; required as main.js requires it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(BUILDER) as {
    ensureBuilt(root?: string, out?: string): { dir: string; built: boolean; files: string[] };
    sources(root?: string): string[];
    digest(files: string[], root?: string): string;
    vendoredSpecifiers(jsTexts: string[]): string[];
};

/** The project files index.ts loads, as the TypeScript compiler resolves its imports and requires. */
function resolvedByTypeScript(): string[] {
    const { config } = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
    const seen = new Set<string>();
    const visit = (abs: string) => {
        const rel = path.relative(ROOT, abs).split(path.sep).join("/");
        if (seen.has(rel)) {
            return;
        }
        seen.add(rel);
        if (abs.endsWith(".json")) {
            return;
        }
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(abs, "utf8"), true, true);
        for (const { fileName } of importedFiles) {
            const resolved = ts.resolveModuleName(fileName, abs, options, ts.sys).resolvedModule;
            if (resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.endsWith(".d.ts")) {
                visit(resolved.resolvedFileName);
            }
        }
    };
    visit(path.join(ROOT, "index.ts"));
    return [...seen].sort();
}

/** A copy of what the build reads (the program's sources and both tsconfig files) in a temporary directory. */
function copyOfSources(): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-build-"));
    for (const f of [...build.sources(), "tsconfig.json", "tsconfig.pulumi.json", "package-lock.json"]) {
        fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
    }
    return copy;
}

describe("the program runs as JavaScript (main.js)", () => {
    it("Pulumi.yaml runs main.js at the project root with TypeScript off", () => {
        const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { main?: string; runtime: { name: string; options?: Record<string, unknown> } };
        // A main in a subdirectory would make that directory the working directory (charts/app and values files are relative to the project).
        assert.equal(project.main, "main.js");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.runtime.options?.typescript, false);
        assert.equal(project.runtime.options?.tsconfig, undefined);
        assert.match(fs.readFileSync(path.join(ROOT, "main.js"), "utf8"), /module\.exports = require\(.*require\("\.\/tools\/build-program"\)\.ensureBuilt\(\)\.dir, "index\.js"\)\)/);
    });

    it("builds every module the program loads, as the TypeScript compiler resolves them, and nothing else", () => {
        const files = build.sources();
        assert.deepEqual(files, resolvedByTypeScript());
        assert.ok(files.includes("config/prices.json") && files.some((f) => f.startsWith("components/secrets/")), files.join(", "));
        const { dir } = build.ensureBuilt();
        assert.equal(path.basename(dir), build.digest(files));
        const emitted = (f: string) => path.join(dir, f.endsWith(".json") ? f : f.replace(/\.ts$/, ".js"));
        for (const f of files) {
            assert.ok(fs.existsSync(emitted(f)), `${f} is built`);
        }
        // Every relative require in the build resolves inside it.
        for (const f of files.filter((x) => x.endsWith(".ts"))) {
            for (const m of fs.readFileSync(emitted(f), "utf8").matchAll(/require\("(\.[^"]*)"\)/g)) {
                const target = path.resolve(path.dirname(emitted(f)), m[1]);
                assert.ok(target.startsWith(dir + path.sep), `${f}: ${m[1]} leaves the build`);
                assert.ok([target, `${target}.js`, path.join(target, "index.js")].some((t) => fs.existsSync(t) && fs.statSync(t).isFile()), `${f}: ${m[1]} is not in the build`);
            }
        }
    });

    it("stack traces from the build name the TypeScript sources (the language host maps them with source-map-support)", () => {
        const { dir, files } = build.ensureBuilt();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sms = require("source-map-support") as { mapSourcePosition(p: { source: string; line: number; column: number }): { source: string; line: number } };
        let checked = 0;
        for (const f of files.filter((x) => x.endsWith(".ts"))) {
            const emitted = path.join(dir, f.replace(/\.ts$/, ".js"));
            const lines = fs.readFileSync(emitted, "utf8").split("\n");
            const line = lines.findIndex((l) => /^(async )?function |^class |^const /.test(l));
            if (line < 0) {
                continue;
            }
            const mapped = sms.mapSourcePosition({ source: emitted, line: line + 1, column: 0 });
            assert.equal(path.resolve(mapped.source), path.join(ROOT, f), `${f}: line ${line + 1} maps to ${mapped.source}`);
            checked++;
        }
        assert.ok(checked > files.length / 2, `${checked} of ${files.length} files checked`);
    });

    it("third-party modules load from one bundled file each, inside the build; @pulumi/* from the installed SDK", () => {
        const { dir, files } = build.ensureBuilt();
        const emitted = files.filter((f) => f.endsWith(".ts")).map((f) => fs.readFileSync(path.join(dir, f.replace(/\.ts$/, ".js")), "utf8"));
        const vendored = build.vendoredSpecifiers(emitted);
        // The program's own third-party imports (config validation and YAML), whatever else it may gain.
        for (const spec of ["@sinclair/typebox", "ajv", "yaml"]) {
            assert.ok(vendored.includes(spec), `${spec} is bundled (${vendored.join(", ")})`);
        }
        assert.ok(!vendored.some((s) => s.startsWith("@pulumi/")), "the SDK and providers stay the installed copies");
        for (const spec of vendored) {
            const resolved = require.resolve(spec, { paths: [path.join(dir, "config")] });
            assert.equal(resolved, path.join(dir, "node_modules", ...spec.split("/"), "index.js"), `${spec} resolves inside the build`);
            // One file: nothing else of the package is loaded from node_modules.
            const bundled = fs.readFileSync(resolved, "utf8");
            assert.doesNotMatch(bundled, /require\("\.{1,2}\//, `${spec}'s bundle requires no files of its own`);
            // The same API as the installed package.
            const installed = require(require.resolve(spec, { paths: [ROOT] }));
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const fromBuild = require(resolved);
            assert.deepEqual(Object.keys(fromBuild).sort(), Object.keys(installed).sort(), `${spec} exports the same names`);
        }
        assert.ok(!build.vendoredSpecifiers(emitted).includes("@pulumi/pulumi"));
        assert.deepEqual(build.vendoredSpecifiers(['require("fs"); require("node:path"); require("./x"); require("@pulumi/kubernetes/core/v1"); require("yaml")']), ["yaml"]);
    });

    it("a changed lock file gets a build of its own (the bundled packages may have changed)", () => {
        const copy = copyOfSources();
        try {
            const files = build.sources(copy);
            const before = build.digest(files, copy);
            fs.appendFileSync(path.join(copy, "package-lock.json"), "\n");
            assert.notEqual(build.digest(files, copy), before);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("a changed module or compiler option gets a build of its own: a stale build is never loaded", () => {
        const copy = copyOfSources();
        try {
            const files = build.sources(copy);
            assert.deepEqual(files, build.sources());
            const before = build.digest(files, copy);
            assert.equal(before, build.digest(build.sources()), "the same sources, the same build");
            fs.writeFileSync(path.join(copy, "config", "unused.ts"), "export const unused = 1;\n");
            assert.equal(build.digest(build.sources(copy), copy), before, "a module the program does not load does not count");
            fs.appendFileSync(path.join(copy, "policy", "lib", "quantity.ts"), "\n// changed\n");
            const changed = build.digest(files, copy);
            assert.notEqual(changed, before);
            fs.writeFileSync(path.join(copy, "tsconfig.pulumi.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noCheck: true, target: "ES2020" } }));
            assert.notEqual(build.digest(files, copy), changed);
            // The built module is the changed source's.
            const { dir } = build.ensureBuilt(copy);
            assert.match(fs.readFileSync(path.join(dir, "policy", "lib", "quantity.js"), "utf8"), /\/\/ changed/);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("first runs at once agree on one complete build", async () => {
        const copy = copyOfSources();
        try {
            const script = `const r = require(${JSON.stringify(BUILDER)}).ensureBuilt(${JSON.stringify(copy)}); process.stdout.write(JSON.stringify(r));`;
            const runs = await Promise.all(Array.from({ length: 3 }, () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
                const p = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
                let out = "";
                let err = "";
                p.stdout.on("data", (d) => (out += String(d)));
                p.stderr.on("data", (d) => (err += String(d)));
                p.on("close", (code) => resolve({ code, out, err }));
            })));
            for (const r of runs) {
                assert.equal(r.code, 0, r.err);
            }
            const dirs = new Set(runs.map((r) => (JSON.parse(r.out) as { dir: string }).dir));
            assert.equal(dirs.size, 1);
            assert.deepEqual(fs.readdirSync(path.join(copy, "bin")), [path.basename([...dirs][0])], "no half-written build is left");
            const built = fs.readdirSync([...dirs][0], { recursive: true })
                .filter((f) => !String(f).startsWith("node_modules") && (String(f).endsWith(".js") || String(f).endsWith(".json"))).length;
            assert.equal(built, build.sources(copy).length);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("the build registers the same resources and outputs as the sources (dev)", async () => {
        const fromSources = await evaluateProgram({ stack: "dev", config: stackConfig("dev") });
        const fromBuild = await evaluateProgram({ stack: "dev", config: stackConfig("dev"), entry: "main.js" });
        assert.ok(fromSources.resources.length > 10, `${fromSources.resources.length} resources`);
        // The release record is stamped with the time of the run.
        const untimed = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>"));
        assert.deepEqual(untimed(fromBuild.resources.map((r) => [r.type, r.name, r.inputs])), untimed(fromSources.resources.map((r) => [r.type, r.name, r.inputs])));
        assert.deepEqual(untimed(fromBuild.outputs), untimed(fromSources.outputs));
    });
});

/**
 * Compiles the policy pack's TypeScript to JavaScript under policy/bin/<digest>/, so the analyzer
 * the CLI starts for `--policy-pack policy` loads plain JavaScript instead of type-checking the
 * pack with ts-node on every preview (that was most of the pack's start-up).
 *
 *   node policy/build.js        # build unless policy/bin holds the current sources' build
 *   npm run build:policy        # the same
 *
 * The directory name is a digest of the sources (every .ts file under policy/, and tsconfig.json),
 * so a stale build is never loaded, and builds by two analyzers at once cannot clash: each writes
 * a directory of its own and renames it into place. Transpile only: `npm test` type-checks the
 * pack with the rest of the repository.
 *
 * With esbuild installed (the repository's devDependency), the entry is then bundled with the
 * pack's own modules into one file (packages such as @pulumi/policy stay external): the analyzer
 * loads one file instead of some seventy (~30 ms of its start-up). The per-module files stay beside
 * it. Without esbuild (a pack installed on its own), the entry loads the modules as they are.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const PACK = __dirname;
const OUT = path.join(PACK, "bin");

/** The pack's TypeScript sources, relative to policy/, sorted. */
function sources(dir = PACK, rel = "") {
    const out = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
            if (e.name !== "bin" && e.name !== "node_modules" && !e.name.startsWith(".")) {
                out.push(...sources(path.join(dir, e.name), r));
            }
        } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
            out.push(r);
        }
    }
    return out.sort();
}

/** A digest of the sources (relative to `pack`) and the compiler options: the build's directory name. */
function digest(files, pack = PACK) {
    const h = crypto.createHash("sha256");
    for (const f of [...files, "tsconfig.json"]) {
        h.update(f).update("\0").update(fs.readFileSync(path.join(pack, f))).update("\0");
    }
    // Not esbuild's presence: a build with or without the bundle is the same pack, and a pack
    // installed on its own (pulumi policy publish) finds the shipped build under the same name.
    return h.digest("hex").slice(0, 16);
}

/** esbuild, if installed where the pack's dependencies resolve (the repository's devDependency), or undefined. */
function loadEsbuild() {
    try {
        return require("esbuild");
    } catch {
        return undefined;
    }
}

function compilerOptions(ts) {
    const file = path.join(PACK, "tsconfig.json");
    const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
    if (error) {
        throw new Error(`policy/tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
    }
    const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions ?? {}, PACK);
    if (errors.length > 0) {
        throw new Error(`policy/tsconfig.json: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
    }
    return { ...options, noEmit: false, sourceMap: false, inlineSourceMap: false, declaration: false };
}

/** The directory of the current sources' build, built if it is not there yet. */
function ensureBuilt() {
    const files = sources();
    const dir = path.join(OUT, digest(files));
    if (fs.existsSync(path.join(dir, "index.js"))) {
        return { dir, built: false };
    }
    let ts;
    try {
        ts = require("typescript");
    } catch {
        throw new Error("the policy pack is not built (policy/bin) and TypeScript is not installed to build it: run `npm ci` then `npm run build:policy`");
    }
    const options = compilerOptions(ts);
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    for (const f of files) {
        const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(path.join(PACK, f), "utf8"), { compilerOptions: options, fileName: f, reportDiagnostics: true });
        if (diagnostics && diagnostics.length > 0) {
            throw new Error(`policy/${f}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
        }
        const target = path.join(tmp, f.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, outputText);
    }
    const esbuild = loadEsbuild();
    if (esbuild !== undefined) {
        esbuild.buildSync({
            entryPoints: [path.join(tmp, "index.js")],
            bundle: true,
            packages: "external",
            platform: "node",
            format: "cjs",
            target: `node${process.versions.node.split(".")[0]}`,
            outfile: path.join(tmp, "index.js"),
            allowOverwrite: true,
            logLevel: "silent",
            legalComments: "none",
        });
    }
    try {
        fs.renameSync(tmp, dir);
    } catch (e) {
        // Another analyzer finished the same build first: use that one.
        fs.rmSync(tmp, { recursive: true, force: true });
        if (!fs.existsSync(path.join(dir, "index.js"))) {
            throw e;
        }
    }
    // Earlier builds are not used again; removing them is best effort (one may still be loading).
    for (const old of fs.readdirSync(OUT)) {
        if (path.join(OUT, old) !== dir && !old.includes(".tmp-")) {
            fs.rmSync(path.join(OUT, old), { recursive: true, force: true });
        }
    }
    return { dir, built: true };
}

module.exports = { ensureBuilt, sources, digest };

if (require.main === module) {
    try {
        const started = Date.now();
        const { dir, built } = ensureBuilt();
        process.stdout.write(`${built ? "built" : "up to date:"} ${path.relative(process.cwd(), dir)}${built ? ` in ${Date.now() - started} ms` : ""}\n`);
    } catch (e) {
        process.stderr.write(`build:policy failed: ${e.message}\n`);
        process.exit(2);
    }
}

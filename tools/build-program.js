/**
 * Compiles the program's TypeScript to JavaScript under bin/<digest>/, so `pulumi preview/up`
 * (Pulumi.yaml: `main: main.js`, `typescript: false`) load plain JavaScript instead of
 * registering ts-node and transpiling every module on each run.
 *
 *   node tools/build-program.js     # build unless bin/ holds the current sources' build
 *   npm run build:program           # the same
 *
 * What is built is what the program loads: index.ts and every module it imports or requires,
 * followed through relative specifiers (components/, config/, the policy/lib helpers config uses,
 * and JSON files such as config/prices.json, copied as they are). The tree keeps the repository's
 * layout, so relative imports and node_modules resolve as from the sources; paths the program
 * reads at run time (charts, values files) are relative to the working directory, which the CLI
 * sets to the project directory either way.
 *
 * The directory name is a digest of those files, both tsconfig files and this builder, so a
 * stale build is never loaded, and two runs building at once cannot clash: each writes a
 * directory of its own and renames it into place. Transpile only (options from
 * tsconfig.pulumi.json, emitted as CommonJS like the Node.js runtime did): `npm test` and CI
 * type-check. Inline source maps point at the .ts files, so stack traces from `pulumi up/preview`
 * (the language host installs source-map-support) name the .ts lines, as under ts-node.
 *
 * Third-party packages the program requires (not @pulumi/*, which must stay the one installed copy
 * the engine's SDK uses) are bundled by esbuild into one file each under
 * bin/<digest>/node_modules/<package>/, where the build's requires find them first: @sinclair/typebox
 * alone is some 300 small modules (~80 ms to resolve and load; ~20 ms as one file). Without esbuild
 * installed, they load from node_modules as they are. package-lock.json and esbuild's version are
 * part of the digest, so a changed dependency gets a build of its own.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const ENTRY = "index.ts";
const TSCONFIGS = ["tsconfig.json", "tsconfig.pulumi.json"];
/** Builds other than the current one are removed once this old (a run may still be loading one). */
const KEEP_OLD_MS = 60 * 60 * 1000;

/** Relative module specifiers in a source: static imports, exports, `import()` and `require()`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](\.\.?(?:\/[^"']*)?)["']/g;

/** The file a relative specifier names, relative to `root`, or undefined (e.g. one inside a comment's example). */
function resolveSpecifier(root, fromFile, spec) {
    const base = path.join(path.dirname(fromFile), spec);
    const candidates = base.endsWith(".json") ? [base] : [`${base}.ts`, path.join(base, "index.ts")];
    for (const c of candidates) {
        const abs = path.join(root, c);
        if (fs.existsSync(abs) && fs.statSync(abs).isFile()) {
            return c.split(path.sep).join("/");
        }
    }
    return undefined;
}

/** The program's modules (index.ts and everything it loads), relative to `root`, sorted. */
function sources(root = ROOT) {
    const seen = new Set([ENTRY]);
    const queue = [ENTRY];
    while (queue.length > 0) {
        const file = queue.pop();
        if (file.endsWith(".json")) {
            continue;
        }
        const text = fs.readFileSync(path.join(root, file), "utf8");
        for (const m of text.matchAll(SPECIFIER)) {
            const target = resolveSpecifier(root, file, m[1]);
            if (target !== undefined && !seen.has(target)) {
                if (target.startsWith("../")) {
                    throw new Error(`${file} imports ${m[1]}, outside the project`);
                }
                seen.add(target);
                queue.push(target);
            }
        }
    }
    return [...seen].sort();
}

/** A digest of the sources, the compiler options and this builder: the build's directory name. */
function digest(files, root = ROOT) {
    const h = crypto.createHash("sha256");
    for (const f of [...files, ...TSCONFIGS]) {
        h.update(f).update("\0").update(fs.readFileSync(path.join(root, f))).update("\0");
    }
    h.update(fs.readFileSync(__filename));
    const lock = path.join(root, "package-lock.json");
    h.update(fs.existsSync(lock) ? fs.readFileSync(lock) : "no lock").update("\0");
    h.update(`esbuild:${esbuildVersion() ?? "none"}`);
    return h.digest("hex").slice(0, 16);
}

/** esbuild, as installed beside this builder (a devDependency), or undefined. */
function loadEsbuild() {
    try {
        return require("esbuild");
    } catch {
        return undefined;
    }
}

function esbuildVersion() {
    try {
        return require("esbuild/package.json").version;
    } catch {
        return undefined;
    }
}

/** Bare module specifiers the emitted files require that are bundled: not @pulumi/*, not Node's own. */
function vendoredSpecifiers(jsTexts) {
    const builtins = new Set(require("module").builtinModules);
    const specs = new Set();
    for (const text of jsTexts) {
        for (const m of text.matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
            const spec = m[1];
            if (spec.startsWith("node:") || builtins.has(spec.split("/")[0]) || spec.startsWith("@pulumi/")) {
                continue;
            }
            specs.add(spec);
        }
    }
    return [...specs].sort();
}

/**
 * Bundles each third-party specifier into `<dir>/node_modules/<spec>/index.js` (CommonJS, its own
 * dependencies inlined, @pulumi/* left to the installed SDK). Node resolves the build's requires
 * there first.
 */
function vendor(esbuild, root, dir, specs) {
    for (const spec of specs) {
        try {
            require.resolve(spec, { paths: [root] });
        } catch {
            continue; // not installed for this root: the build's require fails as the source's would
        }
        const target = path.join(dir, "node_modules", ...spec.split("/"));
        fs.mkdirSync(target, { recursive: true });
        esbuild.buildSync({
            stdin: { contents: `module.exports = require(${JSON.stringify(spec)});`, resolveDir: root, loader: "js" },
            bundle: true,
            platform: "node",
            format: "cjs",
            target: `node${process.versions.node.split(".")[0]}`,
            external: ["@pulumi/*"],
            outfile: path.join(target, "index.js"),
            logLevel: "silent",
            legalComments: "none",
        });
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        if (name === spec) {
            fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ name: spec, private: true, main: "index.js" })}\n`);
        }
    }
}

function compilerOptions(ts, root) {
    const file = path.join(root, "tsconfig.pulumi.json");
    const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
    if (error) {
        throw new Error(`tsconfig.pulumi.json: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
    }
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, file);
    const errors = parsed.errors.filter((d) => d.code !== 18003); // "no inputs found" does not matter here
    if (errors.length > 0) {
        throw new Error(`tsconfig.pulumi.json: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
    }
    const options = {
        ...parsed.options,
        // A .ts file outside a "type": "module" package is CommonJS under node16, as the runtime ran it.
        module: ts.ModuleKind.CommonJS,
        noEmit: false,
        sourceMap: false,
        inlineSourceMap: true,
        inlineSources: false,
        declaration: false,
    };
    for (const k of ["moduleResolution", "noCheck", "outDir", "rootDir", "incremental", "tsBuildInfoFile"]) {
        delete options[k];
    }
    return options;
}

/** The directory of the current sources' build under `out`, built if it is not there yet. */
function ensureBuilt(root = ROOT, out = path.join(root, "bin")) {
    const files = sources(root);
    const dir = path.join(out, digest(files, root));
    if (fs.existsSync(path.join(dir, "index.js"))) {
        try {
            // In use: other runs' clean-up keeps it (below).
            const now = new Date();
            fs.utimesSync(dir, now, now);
        } catch {
            // a read-only checkout only loses the clean-up
        }
        return { dir, built: false, files };
    }
    let ts;
    try {
        ts = require("typescript");
    } catch {
        throw new Error("the program is not built (bin/) and TypeScript is not installed to build it: run `npm ci`, then `npm run build:program`");
    }
    const options = compilerOptions(ts, root);
    fs.mkdirSync(out, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    const emitted = [];
    try {
        for (const f of files) {
            const source = path.join(root, f);
            const target = path.join(tmp, f.endsWith(".json") ? f : f.replace(/\.ts$/, ".js"));
            fs.mkdirSync(path.dirname(target), { recursive: true });
            if (f.endsWith(".json")) {
                fs.copyFileSync(source, target);
                continue;
            }
            // The source map names the .ts file by its path from the emitted file (tmp and dir are siblings).
            const sourceRoot = path.relative(path.dirname(target), path.dirname(source)).split(path.sep).join("/");
            const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(source, "utf8"), {
                compilerOptions: { ...options, sourceRoot }, fileName: path.basename(source), reportDiagnostics: true,
            });
            if (diagnostics && diagnostics.length > 0) {
                throw new Error(`${f}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
            }
            fs.writeFileSync(target, outputText);
            emitted.push(outputText);
        }
        const esbuild = loadEsbuild();
        if (esbuild !== undefined) {
            vendor(esbuild, root, tmp, vendoredSpecifiers(emitted));
        }
        fs.renameSync(tmp, dir);
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        // Another run finished the same build first: use that one.
        if (!fs.existsSync(path.join(dir, "index.js"))) {
            throw e;
        }
    }
    // Earlier builds are not loaded again; they are removed once no run can still be using them.
    const now = Date.now();
    for (const old of fs.readdirSync(out)) {
        const p = path.join(out, old);
        try {
            if (p !== dir && now - fs.statSync(p).mtimeMs > KEEP_OLD_MS) {
                fs.rmSync(p, { recursive: true, force: true });
            }
        } catch {
            // removed by another run meanwhile
        }
    }
    return { dir, built: true, files };
}

module.exports = { ensureBuilt, sources, digest, vendoredSpecifiers };

if (require.main === module) {
    try {
        const started = Date.now();
        const { dir, built, files } = ensureBuilt();
        process.stdout.write(`${built ? "built" : "up to date:"} ${path.relative(process.cwd(), dir)} (${files.length} files)${built ? ` in ${Date.now() - started} ms` : ""}\n`);
    } catch (e) {
        process.stderr.write(`build:program failed: ${e.message}\n`);
        process.exit(2);
    }
}

/**
 * `node -r ./tools/register.js file.ts`: runs the project's TypeScript without type-checking
 * (`npm run build` type-checks), like ts-node's transpile-only mode, but keeps every transpiled
 * file in a content-addressed cache (node_modules/.cache/delivery-ts), so a fresh process —
 * each `npm run plan`, each mocha run, each benchmark sample — compiles only what changed.
 * Used by the tools and the tests; `pulumi up/preview` keep Pulumi's own loader (Pulumi.yaml).
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const ROOT = path.resolve(__dirname, "..");
// As main.js does: the SDK's function-serialisation modules (npm's arborist and more) load on first use.
require("../policy/sdk-startup").deferFunctionSerialization(ROOT);
const CACHE = process.env.DELIVERY_TS_CACHE || path.join(ROOT, "node_modules", ".cache", "delivery-ts");

function compilerOptions() {
    const file = path.join(ROOT, "tsconfig.json");
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT);
    // Emit CommonJS whatever the checker's module mode; inline maps keep stack traces on .ts lines.
    return {
        ...parsed.options,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: undefined,
        noEmit: false,
        sourceMap: false,
        inlineSourceMap: true,
        inlineSources: false,
        declaration: false,
        noCheck: undefined,
        // Source map paths relative to the file itself, so stack traces name the real .ts path.
        outDir: undefined,
        rootDir: undefined,
        incremental: undefined,
        tsBuildInfoFile: undefined,
    };
}

const options = compilerOptions();
const salt = `${ts.version}\0${JSON.stringify(options)}\0`;
let cacheReady = false;

function transpile(filename, source) {
    const key = crypto.createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(CACHE, key.slice(0, 2), `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    const out = ts.transpileModule(source, { fileName: filename, compilerOptions: options, reportDiagnostics: false }).outputText;
    try {
        if (!cacheReady) {
            fs.mkdirSync(CACHE, { recursive: true });
            cacheReady = true;
        }
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        // Write then rename, so a parallel process never reads half a file.
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, cached);
    } catch {
        // A read-only cache only costs speed.
    }
    return out;
}

process.setSourceMapsEnabled(true);
require.extensions[".ts"] = function (module, filename) {
    module._compile(transpile(filename, fs.readFileSync(filename, "utf8")), filename);
};

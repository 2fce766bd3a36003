/**
 * Start-up cut shared by the program (main.js) and the policy pack (index.js): @pulumi/pulumi's
 * `runtime` module loads its function-serialisation modules eagerly (runtime/closure/
 * serializeClosure and codePaths), and they load TypeScript (8.9 MB of JavaScript), npm's
 * arborist and their dependencies — about 11 MB, most of a Node process's start-up — although
 * only `pulumi.runtime.serializeFunction` / `computeCodePaths` (dynamic providers, callback
 * functions such as AWS Lambda closures) ever call them. Neither the program nor the pack does.
 *
 * `deferFunctionSerialization(dir)` puts a stand-in for each of those two modules into Node's
 * module cache before anything loads the SDK. The stand-in loads the real module the first time
 * anything is used from it, and from then on hands everything through, so a program that does
 * serialise a function behaves as before (it pays the load then, not at start-up). Nothing is
 * changed on disk; when the SDK is already loaded, or is not where this expects it, it does
 * nothing. tests/sdk-startup.test.ts checks the stand-ins against the installed SDK's modules.
 *
 * The same holds for the SDK's Automation API (automation/index.js, which the SDK's index loads
 * for `pulumi.automation`, with its own dependencies): only tools that drive the CLI use it
 * (tools/promote.ts), never a program or a pack, so it loads on first use too.
 *
 * `DELIVERY_SDK_EAGER=1` in the environment turns it off (the SDK loads as it ships); `npm run
 * bench` measures both.
 */
"use strict";
const Module = require("module");
const path = require("path");

/**
 * The deferred modules (paths inside the SDK) and the functions the SDK copies from each at load
 * (runtime/index.js re-exports them); anything else used from a module loads it.
 */
const DEFERRED = {
    "runtime/closure/serializeClosure.js": ["serializeFunction", "serializeFunctionAsync"],
    "runtime/closure/codePaths.js": ["computeCodePaths", "findWorkspaceRoot"],
    "automation/index.js": [],
};

/** The stand-in for one module: its named functions call through; anything else loads the module. */
function standIn(filename, names) {
    let real;
    const load = () => {
        if (real === undefined) {
            delete require.cache[filename];
            real = require(filename);
        }
        return real;
    };
    const calls = Object.create(null);
    for (const name of names) {
        calls[name] = { [name](...args) { return load()[name].apply(this, args); } }[name];
    }
    return new Proxy(Object.create(null), {
        get: (_, prop) => {
            if (real === undefined && prop === "__esModule") {
                // Asked by TypeScript's import helpers (`__importStar`) when the SDK's index
                // imports the module; every deferred module is compiled TypeScript (the unit test checks).
                return true;
            }
            return real === undefined && typeof prop === "string" && prop in calls ? calls[prop] : load()[prop];
        },
        has: (_, prop) => prop in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, prop) => {
            const d = Object.getOwnPropertyDescriptor(load(), prop);
            return d === undefined ? undefined : { ...d, configurable: true };
        },
    });
}

/**
 * Installs the stand-ins for the @pulumi/pulumi that `dir` resolves. Returns the files deferred
 * (none when the SDK is missing or its runtime is already loaded).
 */
function deferFunctionSerialization(dir) {
    if (process.env.DELIVERY_SDK_EAGER === "1") {
        return [];
    }
    let sdk;
    try {
        sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
    } catch {
        return [];
    }
    if (require.cache[path.join(sdk, "runtime", "index.js")] !== undefined) {
        return [];
    }
    const deferred = [];
    for (const [file, names] of Object.entries(DEFERRED)) {
        const filename = path.join(sdk, file);
        if (require.cache[filename] !== undefined) {
            continue;
        }
        try {
            require.resolve(filename);
        } catch {
            continue;
        }
        const m = new Module(filename, null);
        m.filename = filename;
        m.paths = Module._nodeModulePaths(path.dirname(filename));
        m.exports = standIn(filename, names);
        m.loaded = true;
        require.cache[filename] = m;
        deferred.push(filename);
    }
    return deferred;
}

module.exports = { deferFunctionSerialization, DEFERRED };

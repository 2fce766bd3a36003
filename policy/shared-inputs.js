/**
 * Analysis cut for the policy pack's process (policy/index.js): @pulumi/policy's analyzer turns a
 * resource's protobuf inputs into JavaScript once per policy — for every resource, each of the
 * pack's resource policies deserializes the same request again (and each stack policy every
 * resource of the stack), although none of them may change what it is given. On a stack of 70
 * resources and 50 policies that is thousands of deserializations per preview, most of the
 * analysis time.
 *
 * `shareDeserializedInputs(dir)` wraps the analyzer's `deserializeProperties` for the
 * @pulumi/policy that `dir` resolves: the first call for a request's properties deserializes them
 * as before; every later call for the same protobuf object (the same request, the same resource
 * of a stack analysis) returns the same result. The result is shared, so it is handed out
 * read-only: a policy that assigns, deletes or defines a property of its inputs gets a TypeError
 * naming the path instead of changing what the next policy sees. Remediation (secrets kept as
 * secrets, results that may be changed) is not shared. Unknown values stay the analyzer's
 * sentinels, so preview's "can't be known" reports are unchanged.
 *
 * `DELIVERY_POLICY_SHARED_INPUTS=0` turns it off; `npm run bench` measures both, and
 * tests/shared-inputs.test.ts checks that the pack reports the same on both paths.
 */
"use strict";
const path = require("path");

/**
 * The read-only view of a plain object or array (other values are returned as they are). `at` is
 * the path of its parent and `key` its own key; the path is built only when a view is created.
 */
function readOnly(value, at, views, key) {
    if (value === null || typeof value !== "object") {
        return value;
    }
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        return value;
    }
    let view = views.get(value);
    if (view === undefined) {
        at = key === undefined ? at : [...at, key];
        const refuse = (prop) => {
            throw new TypeError(`policy inputs are shared by every policy of the pack and cannot be changed (${[...at, String(prop)].join(".")})`);
        };
        view = new Proxy(value, {
            get: (target, prop, receiver) => {
                const v = Reflect.get(target, prop, receiver);
                return typeof prop === "string" ? readOnly(v, at, views, prop) : v;
            },
            set: (_t, prop) => refuse(prop),
            deleteProperty: (_t, prop) => refuse(prop),
            defineProperty: (_t, prop) => refuse(prop),
            setPrototypeOf: () => refuse("__proto__"),
            preventExtensions: () => refuse("(extensions)"),
        });
        views.set(value, view);
    }
    return view;
}

/**
 * Installs the shared deserialization into the @pulumi/policy that `dir` resolves. Returns true
 * when installed (false when turned off, when @pulumi/policy is missing, or when it is not the
 * shape this expects).
 */
function shareDeserializedInputs(dir) {
    if (process.env.DELIVERY_POLICY_SHARED_INPUTS === "0") {
        return false;
    }
    let mod;
    try {
        mod = require(path.join(path.dirname(require.resolve("@pulumi/policy/package.json", { paths: [dir] })), "deserialize.js"));
    } catch {
        return false;
    }
    const original = mod.deserializeProperties;
    if (typeof original !== "function" || original.shared === true) {
        return false;
    }
    const results = new WeakMap();
    const views = new WeakMap();
    const shared = function deserializeProperties(struct, proxySecrets) {
        if (proxySecrets || struct === null || typeof struct !== "object") {
            return original.call(this, struct, proxySecrets);
        }
        let result = results.get(struct);
        if (result === undefined) {
            result = readOnly(original.call(this, struct, false), [], views);
            results.set(struct, result);
        }
        return result;
    };
    shared.shared = true;
    mod.deserializeProperties = shared;
    return true;
}

module.exports = { shareDeserializedInputs, readOnly };

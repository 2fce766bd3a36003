/**
 * Reads the stack's configuration once from the Pulumi runtime and returns the validated model.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./model";
import { ConfigValidationError } from "./reader";
import { parseConfig } from "./parse";

export * from "./environment";
export * from "./model";
export * from "./secrets";
export { ConfigValidationError } from "./reader";
export type { ConfigIssue } from "./reader";
export type { RawStackConfig } from "./parse";
export { parseConfig, KNOWN_KEYS, SECRET_KEYS, DEFAULT_KUBERNETES_VERSION } from "./parse";

/** The runtime knows which keys were given as secrets but keeps the check internal. */
function isSecretKey(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : false;
}

function decode(text: string | undefined): unknown {
    if (text === undefined) {
        return undefined;
    }
    const t = text.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return text;
        }
    }
    return text;
}

/**
 * Loads and validates this stack's configuration. A bad value throws a `RunError` that lists
 * every problem (the engine prints it without a stack trace) before any resource is created.
 */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const all = pulumi.runtime.allConfig();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const fullKey of Object.keys(all)) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        values[key] = decode(all[fullKey]);
        if (isSecretKey(fullKey)) {
            secretKeys.add(key);
        }
    }
    try {
        return parseConfig({ project, stack, values, secretKeys });
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}

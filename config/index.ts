/**
 * Reads the stack's configuration once from the Pulumi runtime and returns the validated model.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./model";
import { ConfigValidationError } from "./reader";
import { parseConfig } from "./parse";
import { readRuntimeConfig } from "./runtime";

export * from "./environment";
export * from "./model";
export * from "./secrets";
export * from "./dns";
export { ConfigValidationError } from "./reader";
export type { ConfigIssue } from "./reader";
export type { RawStackConfig } from "./parse";
export { parseConfig, KNOWN_KEYS, SECRET_KEYS, DEFAULT_KUBERNETES_VERSION } from "./parse";

/**
 * Loads and validates this stack's configuration. A bad value throws a `RunError` that lists
 * every problem (the engine prints it without a stack trace) before any resource is created.
 */
export function loadConfig(): StackConfig {
    const { project, stack, values, secretKeys, foreignKeys } = readRuntimeConfig();
    try {
        return parseConfig({ project, stack, values, secretKeys, foreignKeys });
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}

/**
 * Reads the project namespace of the stack's configuration from the Pulumi runtime: values
 * JSON-decoded where they are objects or lists, and which keys were given as secrets.
 * Shared by the delivery program and the deployments project.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RuntimeConfig {
    readonly project: string;
    readonly stack: string;
    readonly values: Record<string, unknown>;
    readonly secretKeys: Set<string>;
    /** Full keys of the other namespaces (`aws:region`), without their values. */
    readonly foreignKeys: string[];
}

/** The runtime knows which keys were given as secrets but keeps the check internal. */
function isSecretKey(fullKey: string): boolean {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : false;
}

function decode(text: string): unknown {
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

export function readRuntimeConfig(): RuntimeConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const foreignKeys: string[] = [];
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            foreignKeys.push(fullKey);
            continue;
        }
        const key = fullKey.slice(prefix.length);
        values[key] = decode(value);
        if (isSecretKey(fullKey)) {
            secretKeys.add(key);
        }
    }
    return { project, stack: pulumi.getStack(), values, secretKeys, foreignKeys };
}

/**
 * What the deployments project needs to know about the delivery program's stacks, read from the
 * same files the program reads (Pulumi.yaml, Pulumi.<stack>.yaml, policy/config/<stack>.json) and
 * validated by the program's own `parseConfig`, so both projects agree on every stack's
 * environment, cloud and promotion source.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ConfigValidationError } from "../config/reader";
import { parseConfig } from "../config/parse";
import { StackConfig } from "../config/model";

/** The repository root: the delivery program's Pulumi.yaml sits one level above this project. */
export const MAIN_ROOT = path.resolve(__dirname, "..");

export interface MainStack {
    /** Short stack name, e.g. `prod`. */
    readonly name: string;
    /** Path of its stack file relative to the repository root. */
    readonly file: string;
    /** The validated configuration; absent when the file is missing or invalid (see `problem`). */
    readonly config?: StackConfig;
    /** `aws:region` and the like: provider keys outside the program's namespace. */
    readonly providerConfig: Readonly<Record<string, unknown>>;
    /** Why `config` is absent. */
    readonly problem?: string;
}

export interface MainProject {
    /** Project name from Pulumi.yaml (`delivery`). */
    readonly name: string;
    readonly stacks: Readonly<Record<string, MainStack>>;
    /** Contents of policy/config/<stack>.json by stack, where the file exists. */
    readonly policyConfigs: Readonly<Record<string, Record<string, unknown>>>;
}

function isSecure(v: unknown): boolean {
    return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { secure?: unknown }).secure === "string";
}

/**
 * A main stack from its stack file's `config:` map (pure: tests pass maps built from the real
 * files with one change).
 */
export function mainStackFromConfig(project: string, name: string, config: Readonly<Record<string, unknown>>): MainStack {
    const file = `Pulumi.${name}.yaml`;
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const providerConfig: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(prefix)) {
            const k = key.slice(prefix.length);
            values[k] = value;
            if (isSecure(value)) {
                secretKeys.add(k);
            }
        } else {
            providerConfig[key] = value;
        }
    }
    try {
        return { name, file, config: parseConfig({ project, stack: name, values, secretKeys }), providerConfig };
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            const first = e.issues[0];
            const more = e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : "";
            return { name, file, providerConfig, problem: `${file} is not valid for the ${project} program: ${first.key} ${first.problem}${more}; run \`npm run plan -- --stack ${name}\` for all of them` };
        }
        throw e;
    }
}

/** Reads the delivery project and the stack files of `stackNames` from `root`. */
export function readMainProject(root: string, stackNames: readonly string[]): MainProject {
    const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string };
    const stacks: Record<string, MainStack> = {};
    const policyConfigs: Record<string, Record<string, unknown>> = {};
    for (const name of stackNames) {
        const file = path.join(root, `Pulumi.${name}.yaml`);
        if (!fs.existsSync(file)) {
            stacks[name] = { name, file: `Pulumi.${name}.yaml`, providerConfig: {}, problem: `Pulumi.${name}.yaml does not exist: there is no ${project.name} stack "${name}" in this repository` };
        } else {
            const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
            stacks[name] = mainStackFromConfig(project.name, name, doc?.config ?? {});
        }
        const policyFile = path.join(root, "policy", "config", `${name}.json`);
        if (fs.existsSync(policyFile)) {
            policyConfigs[name] = JSON.parse(fs.readFileSync(policyFile, "utf8")) as Record<string, unknown>;
        }
    }
    return { name: project.name, stacks, policyConfigs };
}

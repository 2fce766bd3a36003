/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI hands them to a program:
 * every value a string (objects as JSON), project defaults applied, secret keys listed.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export interface ProgramConfig {
    readonly project: string;
    /** Full key (`delivery:app`, `aws:region`) → value as the runtime sees it. */
    readonly values: Record<string, string>;
    /** Full keys whose value is (or contains) a secret. */
    readonly secretKeys: string[];
}

export type ConfigMap = Record<string, unknown>;

export const ROOT = path.resolve(__dirname, "..", "..");

export function readProject(root = ROOT): { name: string; defaults: ConfigMap } {
    const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, unknown> };
    const defaults: ConfigMap = {};
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (decl !== null && typeof decl === "object" && "default" in (decl as object)) {
            defaults[full] = (decl as { default: unknown }).default;
        } else if (decl === null || typeof decl !== "object") {
            defaults[full] = decl;
        }
    }
    return { name: project.name, defaults };
}

/** The `config:` map of a stack file (or an override file in the same format). */
export function readConfigFile(file: string): ConfigMap {
    if (!fs.existsSync(file)) {
        throw new Error(`${file} does not exist`);
    }
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: ConfigMap } | null;
    return { ...(doc?.config ?? {}) };
}

export function stackFile(stack: string, root = ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/**
 * A `{ secure: … }` value. In a stack file it holds ciphertext the offline run cannot decrypt;
 * in an override file it holds the value itself, so tests can pass secrets in.
 */
function isSecure(v: unknown): v is { secure: string } {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

/** Replaces secure leaves by their (placeholder) value and says whether there were any. */
function unwrapSecure(v: unknown): { value: unknown; secret: boolean } {
    if (isSecure(v)) {
        return { value: v.secure.startsWith("v1:") ? "[secret]" : v.secure, secret: true };
    }
    if (Array.isArray(v)) {
        const items = v.map(unwrapSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (v !== null && typeof v === "object") {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, child] of Object.entries(v)) {
            const u = unwrapSecure(child);
            out[k] = u.value;
            secret = secret || u.secret;
        }
        return { value: out, secret };
    }
    return { value: v, secret: false };
}

/** Deep merge for override files: objects merge, everything else (lists too) replaces; null deletes (at any depth). */
export function mergeConfig(base: ConfigMap, overrides: ConfigMap): ConfigMap {
    const out: ConfigMap = { ...base };
    for (const [k, v] of Object.entries(overrides)) {
        const b = out[k];
        if (v === null) {
            delete out[k];
        } else if (v && typeof v === "object" && !Array.isArray(v) && !isSecure(v)) {
            // Over a map, merge; over nothing (or a scalar), start empty: a null inside still means "absent".
            out[k] = mergeConfig(b && typeof b === "object" && !Array.isArray(b) && !isSecure(b) ? b as ConfigMap : {}, v as ConfigMap);
        } else {
            out[k] = v;
        }
    }
    return out;
}

/** Turns a stack's config map into what the language host gives the program. */
export function toProgramConfig(projectName: string, defaults: ConfigMap, config: ConfigMap): ProgramConfig {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries({ ...defaults, ...config })) {
        const { value, secret } = unwrapSecure(raw);
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { project: projectName, values, secretKeys };
}

/** The project namespace's keys of a program config, JSON values parsed, for `parseConfig`. */
export function projectValues(program: ProgramConfig): { values: Record<string, unknown>; secretKeys: Set<string> } {
    const prefix = `${program.project}:`;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(program.values)) {
        if (k.startsWith(prefix)) {
            try {
                values[k.slice(prefix.length)] = JSON.parse(v);
            } catch {
                values[k.slice(prefix.length)] = v;
            }
        }
    }
    return { values, secretKeys: new Set(program.secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))) };
}

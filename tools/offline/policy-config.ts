/**
 * Policy config for the offline check, reconciled the way the Pulumi CLI reconciles
 * `--policy-pack-config`: each policy's own level and schema defaults, then `all` (level only),
 * then each policy's entry. Unlike the CLI, unknown policies and parameters are errors here, so a
 * typo cannot silently fall back to a default.
 */
import { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_ENFORCEMENT_LEVEL, DeliveryPolicy } from "../../policy/lib/define";
import { PACK_NAME, policies as PACK_POLICIES } from "../../policy/pack";
import { ROOT } from "./stackfile";
export const POLICY_CONFIG_DIR = path.join(ROOT, "policy", "config");
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The policy config file for a stack (`acme/delivery/prod` → policy/config/prod.json). */
export function policyConfigFile(stack: string): string {
    return path.join(POLICY_CONFIG_DIR, `${stack.split("/").pop()}.json`);
}

/** Relative to the working directory when inside it, else as given. */
function shortPath(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** A policy config that is not valid JSON or does not fit the pack (exit code 2 in the plan). */
export class PolicyConfigError extends Error {
    constructor(readonly file: string, readonly problems: readonly string[]) {
        super(`Invalid policy config ${shortPath(file)} (${problems.length === 1 ? "1 problem" : `${problems.length} problems`}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "PolicyConfigError";
    }
}

export interface PolicyConfigEntry {
    readonly enforcementLevel: EnforcementLevel;
    /** What `args.getConfig()` returns: schema defaults, then the config's properties. */
    readonly properties: Readonly<Record<string, unknown>>;
}
export type ReconciledConfig = Readonly<Record<string, PolicyConfigEntry>>;

// Config --------------------------------------------------------------------------------------

function typeOf(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "array";
    }
    if (typeof v === "number") {
        return Number.isInteger(v) ? "integer" : "number";
    }
    return typeof v;
}

/** The JSON-schema subset the pack's config schemas use. */
export function schemaProblems(schema: PolicyConfigJSONSchema, value: unknown, at: string): string[] {
    const problems: string[] = [];
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        const actual = typeOf(value);
        if (!types.some((t) => t === actual || (t === "number" && actual === "integer"))) {
            return [`${at} must be ${types.join(" or ")}, got ${JSON.stringify(value)}`];
        }
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${at} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(value)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) {
            problems.push(`${at} must be at least ${schema.minimum}, got ${value}`);
        }
        if (schema.maximum !== undefined && value > schema.maximum) {
            problems.push(`${at} must be at most ${schema.maximum}, got ${value}`);
        }
    }
    if (typeof value === "string" && schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
        problems.push(`${at} must match ${schema.pattern}, got ${JSON.stringify(value)}`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) {
            problems.push(`${at} must list at least ${schema.minItems} item(s)`);
        }
        if (schema.items !== undefined && typeof schema.items === "object" && !Array.isArray(schema.items)) {
            value.forEach((v, i) => problems.push(...schemaProblems(schema.items as PolicyConfigJSONSchema, v, `${at}[${i}]`)));
        }
    }
    return problems;
}

function levelOf(value: unknown, at: string, problems: string[]): EnforcementLevel | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value === "string" && (LEVELS as readonly string[]).includes(value)) {
        return value as EnforcementLevel;
    }
    problems.push(`${at}: enforcement level must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(value)}`);
    return undefined;
}

function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    return Object.fromEntries(Object.entries(schema?.properties ?? {}).filter(([, s]) => "default" in s).map(([k, s]) => [k, s.default]));
}

/**
 * The config each policy runs with, as the CLI reconciles `--policy-pack-config`: the policy's
 * own level and schema defaults, then `all` (level only), then each policy's entry. Throws a
 * `PolicyConfigError` listing every problem.
 */
export function reconcilePolicyConfig(
    given: unknown, source = "(inline)", policies: readonly DeliveryPolicy[] = PACK_POLICIES,
): ReconciledConfig {
    const problems: string[] = [];
    const config = (given ?? {}) as Record<string, unknown>;
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new PolicyConfigError(source, ["the file must hold a JSON object keyed by policy name (or \"all\")"]);
    }
    const byName = new Map(policies.map((p) => [p.name, p]));
    const entries: Record<string, { level?: EnforcementLevel; properties: Record<string, unknown> }> = {};
    for (const [key, raw] of Object.entries(config)) {
        if (key !== "all" && !byName.has(key)) {
            problems.push(`${key}: is not a policy of ${PACK_NAME} (known: all, ${[...byName.keys()].join(", ")})`);
            continue;
        }
        if (typeof raw === "string") {
            entries[key] = { level: levelOf(raw, key, problems), properties: {} };
        } else if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
            const { enforcementLevel, ...properties } = raw as Record<string, unknown>;
            entries[key] = { level: levelOf(enforcementLevel, key, problems), properties };
        } else {
            problems.push(`${key}: must be an enforcement level or an object, got ${JSON.stringify(raw)}`);
        }
    }
    if (entries.all && Object.keys(entries.all.properties).length > 0) {
        problems.push(`all: only takes an enforcement level; properties (${Object.keys(entries.all.properties).join(", ")}) go under each policy`);
    }
    const out: Record<string, PolicyConfigEntry> = {};
    for (const p of policies) {
        const entry = entries[p.name];
        const properties = { ...schemaDefaults(p.configSchema), ...(entry?.properties ?? {}) };
        const schema = p.configSchema?.properties ?? {};
        for (const [k, v] of Object.entries(entry?.properties ?? {})) {
            if (!(k in schema)) {
                problems.push(`${p.name}.${k}: is not a parameter of ${p.name} (parameters: ${Object.keys(schema).join(", ")})`);
            } else {
                problems.push(...schemaProblems(schema[k], v, `${p.name}.${k}`));
            }
        }
        const level = entry?.level ?? entries.all?.level ?? p.enforcementLevel ?? DEFAULT_ENFORCEMENT_LEVEL;
        out[p.name] = { enforcementLevel: level, properties };
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(source, problems);
    }
    return out;
}

/** Reads and reconciles a policy config file; a missing file means the pack's defaults. */
export function loadPolicyConfig(file: string | undefined): ReconciledConfig {
    if (file === undefined) {
        return reconcilePolicyConfig({}, "(no policy config)");
    }
    if (!fs.existsSync(file)) {
        throw new PolicyConfigError(file, ["the file does not exist"]);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyConfigError(file, [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`]);
    }
    return reconcilePolicyConfig(parsed, file);
}

import { Kind, OptionalKind, TSchema } from "@sinclair/typebox";
import { isSecretName, maskSecretShapes, secretShape } from "../policy/lib/secrets";

/**
 * A small typed reader over raw stack configuration that collects every problem instead of
 * stopping at the first, so one run reports all of them (stack, key, what is wrong, an example).
 */

export interface ConfigIssue {
    /** Full key with path, e.g. `delivery:app.replicas`. */
    readonly key: string;
    /** What is wrong, including the value that was given (never a secret's value). */
    readonly problem: string;
    /** A valid value, written as it would appear in the stack file. */
    readonly example: string;
    /** The example is a sentence (what to write instead), not the key's value. */
    readonly exampleIsText?: boolean;
}

export class ConfigValidationError extends Error {
    /** `file`: the file the problems are in, when it is not the stack's own Pulumi.<stack>.yaml. */
    constructor(readonly stack: string, readonly issues: readonly ConfigIssue[], readonly file?: string) {
        super(formatIssues(stack, issues, file));
        this.name = "ConfigValidationError";
    }
}

export function formatIssues(stack: string, issues: readonly ConfigIssue[], file?: string): string {
    // Whatever a check quoted (a key, a name, a path), nothing shaped like a credential is shown.
    const lines = issues.map((i) => `  - ${i.key}: ${i.problem}\n      e.g. ${i.exampleIsText ? i.example : `${i.key} = ${i.example}`}`);
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    return maskSecretShapes(
        `Invalid configuration for stack "${stack}" (${count}); nothing was deployed:\n` +
        `${lines.join("\n")}\n` +
        (file !== undefined ? `Fix ${file}.` : `Fix the values in Pulumi.${stack.split("/").pop()}.yaml (or with \`pulumi config set --path\`).`),
    );
}

/** Shows a value in a message, briefly. */
export function show(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) {
        return String(value);
    }
    if (maskSecretShapes(text) !== text) {
        return "a value that is not shown (it may be a secret)";
    }
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

interface Common<T> {
    /** Value used when the key is absent. Without it (and without `optional`) the key is required. */
    readonly default?: T;
    /** A valid value for the error message. */
    readonly example: string;
}

/** What a call may add to a schema node: a default computed from other keys, a conditional requirement. */
export interface Overrides<T> {
    readonly default?: T;
    /** true: absent is fine; false: required although the schema marks the key optional. */
    readonly optional?: boolean;
    readonly example?: string;
    /** Text whose spaces are its own (an environment variable's value): leading or trailing ones are kept. */
    readonly freeText?: boolean;
}

type StringOpts = Common<string> & { optional?: boolean; pattern?: RegExp; oneOf?: readonly string[]; what?: string; hint?: string; freeText?: boolean; maxLength?: number };
type IntegerOpts = Common<number> & { min?: number; max?: number };

interface SchemaNode {
    readonly [Kind]?: string;
    readonly [OptionalKind]?: string;
    readonly default?: unknown;
    readonly examples?: readonly unknown[];
    readonly pattern?: string;
    readonly patternErrorMessage?: string;
    readonly enum?: readonly string[];
    readonly minimum?: number;
    readonly maximum?: number;
    readonly maxLength?: number;
    readonly items?: SchemaNode;
    readonly properties?: Readonly<Record<string, SchemaNode>>;
    readonly additionalProperties?: unknown;
    readonly "x-hint"?: string;
    readonly uniqueItems?: boolean;
    readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
    readonly "x-key-what"?: string;
    readonly "x-unique"?: string;
}

function isSchema(x: unknown): x is TSchema {
    return typeof x === "object" && x !== null && (x as SchemaNode)[Kind] !== undefined;
}

/** A YAML-ish rendering of an example value, as it would be written in a stack file. */
export function exampleText(value: unknown): string {
    if (typeof value === "string") {
        const plain = value !== "" && !/^[\d.]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) && !/^[\s{}[\],&*#?|<>=!%@`"'-]/.test(value) && !/: |\s#|\s$/.test(value);
        return plain ? value : JSON.stringify(value);
    }
    if (Array.isArray(value)) {
        return `[${value.map(exampleText).join(", ")}]`;
    }
    if (typeof value === "object" && value !== null) {
        return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${exampleText(v)}`).join(", ")} }`;
    }
    return String(value);
}

/** Each schema pattern compiled once (the same patterns serve many keys). */
const patterns = new Map<string, RegExp>();
const compiled = (source: string) => patterns.get(source) ?? patterns.set(source, new RegExp(source, "u")).get(source)!;

/** The reader's options for a key, from its schema node plus what the call adds. */
function fromSchema<T>(node: TSchema, over: Overrides<T> = {}): Common<T> & { optional?: boolean; pattern?: RegExp; oneOf?: readonly string[]; what?: string; hint?: string; min?: number; max?: number; freeText?: boolean; maxLength?: number } {
    const n = node as SchemaNode;
    const def = (over.default ?? n.default) as T | undefined;
    const optionalInSchema = n[OptionalKind] === "Optional";
    return {
        ...(def !== undefined ? { default: def } : {}),
        optional: over.optional ?? (optionalInSchema && def === undefined),
        example: over.example ?? exampleText(n.examples?.[0]),
        ...(n.pattern !== undefined ? { pattern: compiled(n.pattern), what: n.patternErrorMessage?.replace(/^must be /, "") } : {}),
        ...(n.enum !== undefined ? { oneOf: n.enum } : {}),
        ...(n["x-hint"] !== undefined ? { hint: n["x-hint"] } : {}),
        ...(n.minimum !== undefined ? { min: n.minimum } : {}),
        ...(n.maximum !== undefined ? { max: n.maximum } : {}),
        ...(over.freeText ? { freeText: true } : {}),
        ...(n.maxLength !== undefined ? { maxLength: n.maxLength } : {}),
    };
}

/**
 * Reads values out of one top-level configuration object (or scalar) by path and records
 * issues against the full key.
 */
export class ConfigReader {
    readonly issues: ConfigIssue[] = [];

    constructor(readonly namespace: string) {}

    /** A key or value that looks like a secret: its value never appears in a message. */
    secretLooking(key: string, value: unknown): boolean {
        const last = key.split(/[.[\]]/).filter(Boolean).pop() ?? key;
        return isSecretName(last) || (typeof value === "string" && secretShape(value) !== undefined);
    }

    /** Shows a value in a message, unless its key or shape says it may be a secret. */
    show(key: string, value: unknown): string {
        return this.secretLooking(key, value) ? "a value that is not shown (it may be a secret)" : show(value);
    }

    /** Whether a problem is recorded for `key` or a key under it (a root cause is reported once). */
    reported(key: string): boolean {
        const full = `${this.namespace}:${key}`;
        return this.issues.some((i) => i.key === full || i.key.startsWith(`${full}.`) || i.key.startsWith(`${full}[`));
    }

    /** Keys whose value was refused for its type or shape: nothing at or under them is judged again. */
    private readonly refused = new Set<string>();

    /**
     * Records a problem, unless the key or a key above it was refused for its type or shape: a value
     * that is not an object has no fields to be missing, a value that is not a zone no region to miss
     * (the root cause once).
     */
    issue(key: string, problem: string, example: string): void {
        const full = `${this.namespace}:${key}`;
        if ([...this.refused].some((k) => full === k || full.startsWith(`${k}.`) || full.startsWith(`${k}[`))) {
            return;
        }
        this.issues.push({ key: full, problem, example });
    }

    /** Records that the value at `key` is not of its type or shape, and why. */
    refuse(key: string, problem: string, example: string): void {
        this.issue(key, problem, example);
        this.refused.add(`${this.namespace}:${key}`);
    }

    /**
     * An object at `key`; absent gives `{}`, a non-object records an issue and gives `{}`. Given
     * its schema node, a key the schema does not list is reported (unless `keys: false`).
     */
    object(key: string, value: unknown, rule: string | TSchema, opts: { keys?: boolean } = {}): Record<string, unknown> {
        const example = typeof rule === "string" ? rule : exampleText((rule as SchemaNode).examples?.[0]);
        if (value === undefined || value === null) {
            return {};
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            this.refuse(key, `must be an object, got ${this.show(key, value)}`, example);
            return {};
        }
        const o = value as Record<string, unknown>;
        const props = typeof rule === "string" ? undefined : (rule as SchemaNode).properties;
        if (props !== undefined && (rule as SchemaNode).additionalProperties === false && opts.keys !== false) {
            this.unknownKeys(key, o, Object.keys(props));
        }
        return o;
    }

    /** A string at `key`, by its schema node (or, for readers without a schema, explicit options). */
    string(key: string, value: unknown, rule: TSchema, over?: Overrides<string> & { optional?: false }): string;
    string(key: string, value: unknown, rule: TSchema, over: Overrides<string> & { optional: true }): string | undefined;
    string(key: string, value: unknown, rule: TSchema, over?: Overrides<string>): string | undefined;
    string(key: string, value: unknown, opts: StringOpts & { optional?: false }): string;
    string(key: string, value: unknown, opts: StringOpts & { optional: true }): string | undefined;
    string(key: string, value: unknown, rule: StringOpts | TSchema, over?: Overrides<string>): string | undefined {
        const opts: StringOpts = isSchema(rule) ? fromSchema(rule, over) : rule;
        if (value === undefined || value === null) {
            if (opts.default !== undefined || opts.optional) {
                return opts.default;
            }
            this.refuse(key, "is required but not set", opts.example);
            return "";
        }
        if (typeof value === "string" && value.trim() === "" && !(opts.freeText && value !== "")) {
            // An empty value is a substitution that failed or a value never filled in, not "use the default".
            this.refuse(key, `is ${value === "" ? "empty" : "only whitespace"}: give a value${opts.default !== undefined || opts.optional ? ", or remove the key for the default" : ""}`, opts.example);
            return opts.default ?? "";
        }
        if (typeof value === "number") {
            // YAML turns `1.30` into 1.3: refuse numbers where text is expected instead of guessing.
            this.refuse(key, `must be a quoted string, got ${this.secretLooking(key, value) ? "a number (not shown)" : `the number ${value}`} (YAML drops trailing zeros)`, opts.example);
            return String(value);
        }
        if (typeof value !== "string") {
            this.refuse(key, `must be a string, got ${this.show(key, value)}`, opts.example);
            return "";
        }
        if (opts.maxLength !== undefined && [...value].length > opts.maxLength) {
            this.refuse(key, `is ${[...value].length} characters long; at most ${opts.maxLength}`, opts.example);
            return value;
        }
        if (!opts.freeText && !opts.pattern && !opts.oneOf && value.trim() !== value) {
            // A shape (pattern, enum) says itself whether spaces belong; free text never starts or ends with one.
            this.refuse(key, `has leading or trailing whitespace (${this.secretLooking(key, value) ? "the value is not shown" : show(value)}); it would be used as written`, opts.example);
            return value;
        }
        if (opts.oneOf && !opts.oneOf.includes(value)) {
            this.refuse(key, `must be one of ${opts.oneOf.join(", ")}; got ${this.show(key, value)}${opts.hint ? ` (${opts.hint})` : ""}`, opts.example);
        } else if (opts.pattern && !opts.pattern.test(value)) {
            this.refuse(key, `must be ${opts.what ?? `a string matching ${opts.pattern}`}; got ${this.show(key, value)}`, opts.example);
        }
        return value;
    }

    integer(key: string, value: unknown, rule: IntegerOpts | TSchema, over?: Overrides<number>): number {
        const opts: IntegerOpts = isSchema(rule) ? fromSchema(rule, over) : rule;
        const min = opts.min ?? Number.MIN_SAFE_INTEGER;
        const max = opts.max ?? Number.MAX_SAFE_INTEGER;
        if (value === undefined || value === null) {
            if (opts.default !== undefined) {
                return opts.default;
            }
            this.refuse(key, "is required but not set", opts.example);
            return min;
        }
        if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) {
            // The schema and the editor say number; `pulumi config set --path` stores digits as a number too.
            this.refuse(key, `must be a number, got the string ${this.show(key, value)}: write it without quotes`, opts.example);
            return Number(value);
        }
        const n = value;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.refuse(key, `must be a whole number, got ${this.show(key, value)}`, opts.example);
            return opts.default ?? min;
        }
        if (n < min || n > max) {
            const range = opts.max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
            this.refuse(key, `must be ${range}, got ${n}`, opts.example);
        }
        return n;
    }

    boolean(key: string, value: unknown, rule: Common<boolean> | TSchema, over?: Overrides<boolean>): boolean {
        const opts: Common<boolean> = isSchema(rule) ? fromSchema(rule, over) : rule;
        if (value === undefined || value === null) {
            if (opts.default !== undefined) {
                return opts.default;
            }
            this.refuse(key, "is required but not set", opts.example);
            return false;
        }
        if (value === true || value === false) {
            return value;
        }
        if (value === "true" || value === "false") {
            // The schema and the editor say boolean; `pulumi config set --path` stores true/false as booleans too.
            this.refuse(key, `must be true or false, got the string "${value}": write it without quotes`, opts.example);
            return value === "true";
        }
        this.refuse(key, `must be true or false, got ${this.show(key, value)}`, opts.example);
        return opts.default ?? false;
    }

    /** A list of strings; by schema node, each item is read by the node's `items`. */
    stringList(key: string, value: unknown, rule: (Common<readonly string[]> & { pattern?: RegExp; what?: string }) | TSchema, over?: Overrides<readonly string[]>): string[] {
        const opts: Common<readonly string[]> & { pattern?: RegExp; what?: string } = isSchema(rule) ? fromSchema(rule, over) as Common<readonly string[]> : rule;
        const items = isSchema(rule) ? (rule as SchemaNode).items : undefined;
        if (value === undefined || value === null) {
            return [...(opts.default ?? [])];
        }
        if (!Array.isArray(value)) {
            this.refuse(key, `must be a list, got ${this.show(key, value)}`, opts.example);
            return [];
        }
        const out = value.map((item, i) => {
            const itemOpts = items !== undefined ? fromSchema<string>(items as TSchema) : { pattern: opts.pattern, what: opts.what };
            return this.string(`${key}[${i}]`, item, { ...itemOpts, default: undefined, example: opts.example, optional: false });
        });
        if (isSchema(rule) && (rule as SchemaNode).uniqueItems === true) {
            this.repeats(key, out, (rule as SchemaNode)["x-unique"]);
        }
        return out;
    }

    /** Records an issue for every entry that repeats an earlier one (`unique`: "<entry>: <why each may appear once>"). */
    repeats(key: string, items: readonly unknown[], unique?: string): void {
        const [what, why] = unique?.includes(": ") ? [`${unique.slice(0, unique.indexOf(": "))} `, unique.slice(unique.indexOf(": ") + 2)] : ["", unique];
        const first = new Map<string, number>();
        items.forEach((item, i) => {
            const id = JSON.stringify(item);
            const j = first.get(id);
            if (j === undefined) {
                first.set(id, i);
            } else {
                this.issue(`${key}[${i}]`, `repeats ${what}${this.show(key, item)} (also ${key}[${j}])${why ? `: ${why}` : ""}`, "remove the repeated entry");
            }
        });
    }

    /** A map of string keys to values of one kind (e.g. feature flags). */
    map<T>(key: string, value: unknown, rule: string | TSchema, read: (k: string, v: unknown) => T): Record<string, T> {
        const obj = this.object(key, value, rule);
        const out: Record<string, T> = {};
        const node = typeof rule === "string" ? undefined : (rule as SchemaNode);
        const keyPattern = node?.additionalProperties === false ? Object.keys(node.patternProperties ?? {})[0] : undefined;
        for (const [k, v] of Object.entries(obj)) {
            if (keyPattern !== undefined && !compiled(keyPattern).test(k)) {
                this.refuse(`${key}.${k}`, `is not a valid key here: must be ${node?.["x-key-what"] ?? `a key matching ${keyPattern}`}`, exampleText(Object.keys((node?.examples?.[0] ?? {}) as object)[0]));
                continue;
            }
            out[k] = read(`${key}.${k}`, v);
        }
        return out;
    }

    /** Records an issue for every key of `obj` that is not in `known` (catches typos). */
    unknownKeys(key: string, obj: Record<string, unknown>, known: readonly string[]): void {
        for (const k of Object.keys(obj)) {
            if (!known.includes(k)) {
                const path = key ? `${key}.${k}` : k;
                const [head, ...rest] = k.split(".");
                if (rest.length > 0 && known.includes(head)) {
                    // `delivery:app.replicas: 5` in a stack file is a key named "app.replicas", not a path.
                    this.issues.push({ key: `${this.namespace}:${key ? `${key}.` : ""}${k}`, problem: `is a key named "${k}", not the path ${head} → ${rest.join(".")}: a stack file nests it`, example: `${this.namespace}:${head}: { ${rest.join(": { ")}: … ${"}".repeat(rest.length - 1)}${rest.length > 1 ? " " : ""}} (or pulumi config set --path ${this.namespace}:${k} …)`, exampleIsText: true });
                    continue;
                }
                this.issue(path, `is not a known setting (known: ${known.join(", ")})`, `remove it, or use one of the known keys`);
            }
        }
    }
}

import { isSecretName, secretShape } from "../policy/lib/secrets";

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
}

export class ConfigValidationError extends Error {
    constructor(readonly stack: string, readonly issues: readonly ConfigIssue[]) {
        super(formatIssues(stack, issues));
        this.name = "ConfigValidationError";
    }
}

export function formatIssues(stack: string, issues: readonly ConfigIssue[]): string {
    const lines = issues.map((i) => `  - ${i.key}: ${i.problem}\n      e.g. ${i.key} = ${i.example}`);
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    return (
        `Invalid configuration for stack "${stack}" (${count}); nothing was deployed:\n` +
        `${lines.join("\n")}\n` +
        `Fix the values in Pulumi.${stack.split("/").pop()}.yaml (or with \`pulumi config set --path\`).`
    );
}

/** Shows a value in a message, briefly. */
export function show(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) {
        return String(value);
    }
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

interface Common<T> {
    /** Value used when the key is absent. Without it (and without `optional`) the key is required. */
    readonly default?: T;
    /** A valid value for the error message. */
    readonly example: string;
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

    issue(key: string, problem: string, example: string): void {
        this.issues.push({ key: `${this.namespace}:${key}`, problem, example });
    }

    /** An object at `key`; absent gives `{}`, a non-object records an issue and gives `{}`. */
    object(key: string, value: unknown, example: string): Record<string, unknown> {
        if (value === undefined || value === null) {
            return {};
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            this.issue(key, `must be an object, got ${this.show(key, value)}`, example);
            return {};
        }
        return value as Record<string, unknown>;
    }

    string(key: string, value: unknown, opts: Common<string> & { pattern?: RegExp; oneOf?: readonly string[]; what?: string }): string;
    string(key: string, value: unknown, opts: Common<string> & { optional: true; pattern?: RegExp; oneOf?: readonly string[]; what?: string }): string | undefined;
    string(
        key: string,
        value: unknown,
        opts: Common<string> & { optional?: boolean; pattern?: RegExp; oneOf?: readonly string[]; what?: string },
    ): string | undefined {
        if (value === undefined || value === null || value === "") {
            if (opts.default !== undefined || opts.optional) {
                return opts.default;
            }
            this.issue(key, "is required but not set", opts.example);
            return "";
        }
        if (typeof value === "number") {
            // YAML turns `1.30` into 1.3: refuse numbers where text is expected instead of guessing.
            this.issue(key, `must be a quoted string, got ${this.secretLooking(key, value) ? "a number (not shown)" : `the number ${value}`} (YAML drops trailing zeros)`, opts.example);
            return String(value);
        }
        if (typeof value !== "string") {
            this.issue(key, `must be a string, got ${this.show(key, value)}`, opts.example);
            return "";
        }
        if (opts.oneOf && !opts.oneOf.includes(value)) {
            this.issue(key, `must be one of ${opts.oneOf.join(", ")}; got ${this.show(key, value)}`, opts.example);
        } else if (opts.pattern && !opts.pattern.test(value)) {
            this.issue(key, `must be ${opts.what ?? `a string matching ${opts.pattern}`}; got ${this.show(key, value)}`, opts.example);
        }
        return value;
    }

    integer(key: string, value: unknown, opts: Common<number> & { min?: number; max?: number }): number {
        const min = opts.min ?? Number.MIN_SAFE_INTEGER;
        const max = opts.max ?? Number.MAX_SAFE_INTEGER;
        if (value === undefined || value === null || value === "") {
            if (opts.default !== undefined) {
                return opts.default;
            }
            this.issue(key, "is required but not set", opts.example);
            return min;
        }
        const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.issue(key, `must be a whole number, got ${this.show(key, value)}`, opts.example);
            return opts.default ?? min;
        }
        if (n < min || n > max) {
            const range = opts.max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
            this.issue(key, `must be ${range}, got ${n}`, opts.example);
        }
        return n;
    }

    boolean(key: string, value: unknown, opts: Common<boolean>): boolean {
        if (value === undefined || value === null || value === "") {
            if (opts.default !== undefined) {
                return opts.default;
            }
            this.issue(key, "is required but not set", opts.example);
            return false;
        }
        if (value === true || value === "true") {
            return true;
        }
        if (value === false || value === "false") {
            return false;
        }
        this.issue(key, `must be true or false, got ${this.show(key, value)}`, opts.example);
        return opts.default ?? false;
    }

    stringList(key: string, value: unknown, opts: Common<readonly string[]> & { pattern?: RegExp; what?: string }): string[] {
        if (value === undefined || value === null) {
            return [...(opts.default ?? [])];
        }
        if (!Array.isArray(value)) {
            this.issue(key, `must be a list, got ${this.show(key, value)}`, opts.example);
            return [];
        }
        return value.map((item, i) =>
            this.string(`${key}[${i}]`, item, { example: opts.example, pattern: opts.pattern, what: opts.what }),
        );
    }

    /** A map of string keys to values of one kind (e.g. feature flags). */
    map<T>(key: string, value: unknown, example: string, read: (k: string, v: unknown) => T): Record<string, T> {
        const obj = this.object(key, value, example);
        const out: Record<string, T> = {};
        for (const [k, v] of Object.entries(obj)) {
            out[k] = read(`${key}.${k}`, v);
        }
        return out;
    }

    /** Records an issue for every key of `obj` that is not in `known` (catches typos). */
    unknownKeys(key: string, obj: Record<string, unknown>, known: readonly string[]): void {
        for (const k of Object.keys(obj)) {
            if (!known.includes(k)) {
                const path = key ? `${key}.${k}` : k;
                this.issue(path, `is not a known setting (known: ${known.join(", ")})`, `remove it, or use one of the known keys`);
            }
        }
    }
}

/**
 * Reading resource properties the way CrossGuard hands them over: wrapped in
 * `unknownCheckingProxy`, where touching a value that is unknown during preview throws
 * `UnknownValueError` (the engine then reports "can't run policy during preview" as advisory).
 *
 * Two ways in, on purpose:
 * - `read` goes through the proxy: use it for values a check compares (versions, CIDRs, counts).
 * - `isSet` / `peek` look at the raw data without tripping the proxy: use them to check that a
 *   setting is *present* (a KMS key ARN that a new key computes, a subnet id), so an unknown
 *   value never lets a preview slip past a presence check.
 */

/** Sentinels the engine sends for values not known until the update (see @pulumi/policy/proxy). */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** Marks a value that is present but unknown during preview. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Peeked = unknown | typeof UNKNOWN;

export type Path = readonly (string | number)[];

export function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

function isObject(value: unknown): value is Record<string | number, unknown> {
    return value !== null && (typeof value === "object" || typeof value === "function");
}

/** One step without triggering the proxy's `get` trap (descriptors are forwarded to the target). */
function rawChild(value: unknown, key: string | number): unknown {
    if (!isObject(value)) {
        return undefined;
    }
    const d = Object.getOwnPropertyDescriptor(value, key);
    return d && "value" in d ? d.value : undefined;
}

/**
 * The raw value at `path`, never throwing: `UNKNOWN` if the value (or an object on the way) is
 * unknown during preview, `undefined` if absent.
 */
export function peek(obj: unknown, ...path: Path): Peeked {
    let cur: unknown = obj;
    for (const key of path) {
        if (isUnknownSentinel(cur)) {
            return UNKNOWN;
        }
        cur = rawChild(cur, key);
    }
    return isUnknownSentinel(cur) ? UNKNOWN : cur;
}

/** True when a setting is present: known and non-empty, or unknown (computed) during preview. */
export function isSet(obj: unknown, ...path: Path): boolean {
    const v = peek(obj, ...path);
    return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
}

/**
 * The value at `path` read through the unknown-checking proxy: throws `UnknownValueError` when
 * it is unknown during preview; `undefined` if absent.
 */
export function read(obj: unknown, ...path: Path): any {
    let cur: any = obj;
    for (const key of path) {
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = cur[key];
    }
    return cur;
}

/** The array at `path` (read through the proxy), or [] when absent. */
export function list(obj: unknown, ...path: Path): any[] {
    const v = read(obj, ...path);
    return Array.isArray(v) ? [...v] : [];
}

/** The plain (string) map at `path`, e.g. labels; {} when absent. Unknown entries are skipped. */
export function stringMap(obj: unknown, ...path: Path): Record<string, string> {
    const v = peek(obj, ...path);
    if (!isObject(v)) {
        return {};
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
        if (typeof x === "string" && !isUnknownSentinel(x)) {
            out[k] = x;
        }
    }
    return out;
}

export interface Found {
    /** Dotted path from the root, e.g. `values.controller.securityContext.privileged`. */
    readonly path: string;
    readonly key: string;
    readonly value: unknown;
    /** The object holding the key. */
    readonly holder: Record<string, unknown>;
}

/**
 * Every key anywhere under `root` (raw walk, unknown values skipped) for which `match` holds:
 * finds settings in Helm values whatever nesting a chart uses.
 */
export function findKeys(root: unknown, match: (key: string, value: unknown) => boolean, prefix = ""): Found[] {
    const out: Found[] = [];
    const walk = (node: unknown, at: string): void => {
        if (!isObject(node) || isUnknownSentinel(node)) {
            return;
        }
        for (const key of Object.keys(node)) {
            const value = rawChild(node, key);
            if (isUnknownSentinel(value)) {
                continue;
            }
            const path = Array.isArray(node) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
            if (!Array.isArray(node) && match(key, value)) {
                out.push({ path, key, value, holder: node as Record<string, unknown> });
            }
            walk(value, path);
        }
    };
    walk(peek(root), prefix);
    return out;
}

/** A value for a message, briefly. */
export function show(value: unknown): string {
    if (value === UNKNOWN) {
        return "(unknown until deployed)";
    }
    const text = JSON.stringify(value);
    if (text === undefined) {
        return String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

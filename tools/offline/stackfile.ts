/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI hands them to a program:
 * every value a string (objects as JSON), project defaults applied, secret keys listed.
 */
import * as fs from "fs";
import * as path from "path";
import { LineCounter, Node, Scalar, isMap, isScalar, isSeq, parse as parseYaml, parseAllDocuments } from "yaml";
import { ConfigIssue, ConfigValidationError } from "../../config/reader";

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

/** Top-level keys of a `Pulumi.<stack>.yaml` (Pulumi's stack file format). */
export const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"] as const;

/** `Pulumi.dev.yaml` → dev; another file name gives no stack. */
function stackOfFile(file: string): string | undefined {
    return /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file))?.[1];
}

type Issue = ConfigIssue;

/**
 * The `config:` map of a stack file (or an override file in the same format). Anything that is not
 * a readable stack file — no such file, a directory, YAML that does not parse, a key given twice, a
 * top level that is not `config:` and Pulumi's own keys, a configuration key without its
 * `<namespace>:`, a number YAML versions read differently — is a `ConfigValidationError` naming the
 * file, line and key; values are never shown. Merge keys (`<<`) and aliases resolve as the Pulumi CLI
 * resolves them.
 */
export function readConfigFile(file: string, stack: string = stackOfFile(file) ?? "(unknown)"): ConfigMap {
    const relative = path.relative(process.cwd(), file);
    // Shown as given unless it is a plain path inside the working directory (never a normalised URL or the like).
    const label = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) && path.normalize(file) === file ? relative : file;
    const fail = (issues: Issue[]): never => {
        throw new ConfigValidationError(stack, issues, label);
    };
    const asText = (key: string, problem: string, example: string): Issue => ({ key, problem, example, exampleIsText: true });
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch {
        return fail([asText(label, "does not exist", "a file in the stack file format: config: { delivery:app: { replicas: 2 } }")]);
    }
    if (!stat.isFile()) {
        return fail([asText(label, "is a directory, not a stack file", "a YAML file in the stack file format: config: { delivery:app: { replicas: 2 } }")]);
    }
    const text = fs.readFileSync(file, "utf8");
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, merge: true, lineCounter: lines });
    const at = (offset: number) => {
        const p = lines.linePos(offset);
        return `${label}:${p.line}:${p.col}`;
    };
    const list = Array.isArray(docs) ? docs : [];
    // The first error of a document only: what follows an unclosed bracket is its echo.
    const syntax = list.flatMap((d) => d.errors.slice(0, 1).map((e) => asText(at(e.pos[0]), `is not valid YAML: ${e.message.split("\n")[0]}`, "fix the YAML at that line (indent with spaces, close every bracket and quote)")));
    if (syntax.length > 0) {
        return fail(syntax);
    }
    if (list.length > 1) {
        return fail([asText(label, `holds ${list.length} YAML documents (---); a stack file is one document`, "one document: config: { … }")]);
    }
    const doc = list[0];
    const example = "config:\n        delivery:app: { replicas: 2 }";
    if (doc === undefined || doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ""))) {
        return fail([asText(label, "is empty", example)]);
    }
    if (!isMap(doc.contents)) {
        return fail([asText(label, `must be a mapping with config: at the top, got ${isSeq(doc.contents) ? "a list" : "a single value"}`, example)]);
    }
    const issues: Issue[] = [];
    const where = (node: Node | null | undefined) => (node?.range ? at(node.range[0]) : label);
    const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 0);
    /** Keys given twice in one mapping, and numbers YAML 1.1 (the Pulumi CLI) and 1.2 read differently. */
    const walk = (node: unknown, key: string, root = false): void => {
        if (isMap(node)) {
            const seen = new Map<string, Node>();
            for (const pair of node.items) {
                const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
                const full = key === "" ? k : `${key}.${k}`;
                if (k !== "<<") {
                    const before = seen.get(k);
                    if (before !== undefined) {
                        issues.push(asText(full, `is given twice in ${label} (lines ${lineOf(before)} and ${lineOf(pair.key as Node)}): YAML would keep only one of them, silently`, "one entry holding every setting"));
                    }
                    seen.set(k, pair.key as Node);
                }
                // Under config: the keys are named as the program names them (delivery:app.replicas).
                walk(pair.value, root && k === "config" ? "" : full);
            }
        } else if (isSeq(node)) {
            node.items.forEach((item, i) => walk(item, `${key}[${i}]`));
        }
        const tag = (node as { tag?: string } | null)?.tag;
        if (tag !== undefined && !/^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq)$/.test(tag)) {
            issues.push(asText(key, `is tagged ${tag.replace("tag:yaml.org,2002:", "!!")} at ${where(node as Node)}; configuration values are plain strings, numbers, booleans, lists and mappings`, "the value without the tag"));
        } else if (isScalar(node) && node.type === Scalar.PLAIN && node.range) {
            const source = text.slice(node.range[0], node.range[1]);
            if (/^[-+]?0\d+$/.test(source)) {
                issues.push(asText(key, `is ${source} at ${where(node)}: YAML 1.1 (the Pulumi CLI) reads a number with a leading zero as octal, YAML 1.2 as decimal`, "write the number without leading zeros, or quote it if it is text"));
            } else if (typeof node.value === "number" && !Number.isFinite(node.value)) {
                issues.push(asText(key, `is ${source} at ${where(node)}, not a number any setting takes`, "a finite number such as 3"));
            }
        }
    };
    walk(doc.contents, "", true);
    const top = doc.contents;
    for (const pair of top.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (!(STACK_FILE_KEYS as readonly string[]).includes(k)) {
            issues.push(k.includes(":")
                ? asText(k, `is a configuration key at the top level (${where(pair.key as Node)}); configuration goes under config:`, `config:\n        ${k}: …`)
                : asText(k, `is not a key of a stack file (${where(pair.key as Node)}; known: ${STACK_FILE_KEYS.join(", ")})`, "remove it, or put configuration under config:"));
        }
    }
    const config = top.get("config", true);
    if (config === undefined || (isScalar(config) && config.value === null)) {
        issues.push(asText("config", `is missing from ${label}: nothing in the file would apply`, example));
    } else if (!isMap(config)) {
        issues.push(asText("config", `must be a mapping of <namespace>:<key> settings, got ${isSeq(config) ? "a list" : "a single value"} (${where(config as Node)})`, example));
    } else {
        for (const pair of config.items) {
            const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            const parts = k.split(":");
            const ok = (parts.length === 2 || (parts.length === 3 && parts[1] === "config")) && parts.every((x) => x !== "" && !/\s/.test(x));
            if (!ok) {
                issues.push(asText(k, `is not a configuration key (${where(pair.key as Node)}): keys are <namespace>:<name>, like delivery:app or aws:region`,
                    parts.length === 1 ? `delivery:${k}` : "delivery:app"));
            }
        }
    }
    if (issues.length > 0) {
        return fail(issues);
    }
    let js: { config?: ConfigMap };
    try {
        js = doc.toJS({ maxAliasCount: 100 }) as { config?: ConfigMap };
    } catch (e) {
        return fail([asText(label, `cannot be read: ${String((e as Error).message).split("\n")[0]}`, "a stack file without alias loops or thousands of aliases")]);
    }
    // `delivery:config:app` is the old spelling of `delivery:app`; the CLI reads both as the latter.
    return Object.fromEntries(Object.entries(js.config ?? {}).map(([k, v]) => [k.split(":").length === 3 ? k.replace(/^([^:]+):config:/, "$1:") : k, v]));
}

/** The stacks of a project: the names of its `Pulumi.<stack>.yaml` files. */
export function knownStacks(root = ROOT): string[] {
    return fs.readdirSync(root).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
}

/**
 * Why `stack` names no stack of the project (undefined when it does): not a stack name at all,
 * or no `Pulumi.<stack>.yaml`; lists the stacks there are.
 */
export function unknownStack(stack: string, root = ROOT): string | undefined {
    const known = knownStacks(root);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(stack)) {
        return `${JSON.stringify(stack.slice(0, 60))} is not a stack name (letters, digits, -, _ and .); the stacks here: ${known.join(", ")}`;
    }
    return known.includes(stack) ? undefined : `no stack "${stack}" here (no Pulumi.${stack}.yaml); the stacks here: ${known.join(", ")}`;
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
export function projectValues(program: ProgramConfig): { values: Record<string, unknown>; secretKeys: Set<string>; foreignKeys: string[] } {
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
    return {
        values,
        secretKeys: new Set(program.secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))),
        foreignKeys: Object.keys(program.values).filter((k) => !k.startsWith(prefix)),
    };
}

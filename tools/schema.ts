/**
 * Generates, from the one schema in config/schema.ts:
 * - schema/stack-config.schema.json: a JSON Schema of a whole `Pulumi.<stack>.yaml` (the
 *   `delivery:*` keys under `config:`; other namespaces pass), for editors with the YAML language
 *   server (each stack file names it on its first line);
 * - docs/config-reference.md: every key with its type, default, rules and description.
 *
 *   npm run schema            # writes both
 *   npm run schema -- --check # exit 1 when either is stale (the unit suite checks this too)
 *   npm run schema -- --lint [Pulumi.<stack>.yaml …]
 *                             # what an editor shows: the YAML language server (the engine of the
 *                             # VS Code YAML extension) validates each stack file against the schema
 *                             # its first line names; exit 1 on any problem
 */
import * as fs from "fs";
import * as path from "path";
import { DeliverySchema, PROVIDER_NAMESPACES } from "../config/schema";

const ROOT = path.resolve(__dirname, "..");
export const SCHEMA_FILE = "schema/stack-config.schema.json";
export const REFERENCE_FILE = "docs/config-reference.md";
export const NAMESPACE = "delivery";

type Json = { [k: string]: unknown };

/** A schema node as JSON (TypeBox's symbol keys dropped), with the editor-facing adjustments. */
function toJson(node: unknown, topLevel = false): unknown {
    if (Array.isArray(node)) {
        return node.map((n) => toJson(n));
    }
    if (typeof node !== "object" || node === null) {
        return node;
    }
    const n = node as Json;
    if (topLevel && n["x-secret"] === true) {
        // In the stack file a secret is the ciphertext Pulumi writes: `{ secure: … }`.
        return {
            description: n.description, "x-secret": true, type: "object", required: ["secure"], additionalProperties: false,
            properties: { secure: { type: "string", description: "Ciphertext written by `pulumi config set --secret`." } },
        };
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(n)) {
        out[k] = k === "properties" || k === "patternProperties"
            ? Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, toJson(pv)]))
            : toJson(v);
    }
    if (out.anyOf !== undefined && out.discriminator !== undefined) {
        // A discriminated union: exactly one branch, picked by the discriminator.
        out.oneOf = out.anyOf;
        delete out.anyOf;
    }
    if (n.deprecated === true && out.type === undefined) {
        // A retired key: any value is flagged.
        out.not = {};
    }
    return out;
}

/** The JSON Schema of a `Pulumi.<stack>.yaml` document. */
export function stackConfigSchema(): Json {
    const props = DeliverySchema.properties as Record<string, unknown>;
    const config: Json = {
        type: "object",
        description: `Stack configuration. The delivery:* keys are checked here; the providers' namespaces (${PROVIDER_NAMESPACES.map((p) => `${p}:`).join(", ")}) pass; any other namespace is read by nothing.`,
        properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [`${NAMESPACE}:${k}`, toJson(v, true)])),
        // Keys of the providers' namespaces pass; an unknown delivery:* key, or a key of a namespace nothing reads, is a typo.
        patternProperties: { [`^(${PROVIDER_NAMESPACES.join("|")}):`]: {} },
        additionalProperties: false,
    };
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        $id: "https://github.com/acme/delivery/schema/stack-config.schema.json",
        title: "Pulumi.<stack>.yaml of the delivery program",
        description: `Generated from config/schema.ts by \`npm run schema\`; do not edit. The program reads the same schema and adds the checks a schema cannot express (defaults and rules that depend on the environment or on other keys). Required keys (${(DeliverySchema.required ?? []).map((k) => `${NAMESPACE}:${k}`).join(", ")}) are checked by the program, which also reads the project file's defaults.`,
        type: "object",
        properties: {
            config,
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
            environment: { description: "Pulumi ESC environments imported by the stack." },
        },
        additionalProperties: false,
    };
}

export function schemaText(): string {
    return `${JSON.stringify(stackConfigSchema(), null, 2)}\n`;
}

// ---- the reference ------------------------------------------------------------------------------

function typeOf(n: Json): string {
    if (n["x-secret"] === true) {
        return "secret string";
    }
    if (n.deprecated === true) {
        return "retired";
    }
    if (Array.isArray(n.enum)) {
        return (n.enum as string[]).map((e) => `\`${e}\``).join(" | ");
    }
    if (n.type === "array") {
        const items = n.items as Json;
        return items.type === "object" || items.anyOf ? "list of objects" : `list of ${typeOf(items)}`;
    }
    if (n.type === "object" && n.patternProperties !== undefined) {
        return `map of ${typeOf(Object.values(n.patternProperties as Json)[0] as Json)}`;
    }
    if (n.anyOf !== undefined) {
        return "object (by provider)";
    }
    return String(n.type ?? "any");
}

function rules(n: Json): string {
    const parts: string[] = [];
    if (typeof n.patternErrorMessage === "string") {
        parts.push(n.patternErrorMessage.replace(/^must be /, ""));
    }
    if (n.minimum !== undefined && n.maximum !== undefined) {
        parts.push(`${n.minimum}–${n.maximum}`);
    } else if (n.minimum !== undefined) {
        parts.push(`≥ ${n.minimum}`);
    }
    if (n.minItems !== undefined) {
        parts.push(`at least ${n.minItems}`);
    }
    if (n.maxLength !== undefined) {
        parts.push(`at most ${n.maxLength} characters`);
    }
    if (n["x-max"] !== undefined) {
        parts.push(`at most ${String(n["x-max"])}`);
    }
    if (n.uniqueItems === true) {
        parts.push(`each once (${String(n["x-unique"]).replace(/^[^:]*: /, "")})`);
    }
    if (n.type === "array" && (n.items as Json).properties === undefined) {
        const each = rules(n.items as Json);
        if (each) {
            parts.push(`each: ${each}`);
        }
    }
    return parts.join("; ");
}

function defaultOf(n: Json): string {
    if (n["x-default"] !== undefined) {
        return String(n["x-default"]);
    }
    if (n.default !== undefined) {
        return `\`${JSON.stringify(n.default)}\``;
    }
    return "";
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");

/** Rows of one section: every leaf and object below `prefix`. */
function rows(prefix: string, n: Json, required: boolean, out: string[][]): void {
    const req = required && n.default === undefined && n["x-default"] === undefined;
    out.push([`\`${prefix}\``, cell(typeOf(n)), req ? "yes" : "", cell(defaultOf(n)), cell(rules(n)), cell(String(n.description ?? ""))]);
    const props = n.properties as Record<string, Json> | undefined;
    const req2 = new Set((n.required as string[] | undefined) ?? []);
    if (props !== undefined && n.additionalProperties === false) {
        for (const [k, v] of Object.entries(props)) {
            rows(`${prefix}.${k}`, v, req2.has(k), out);
        }
    }
    if (n.type === "array") {
        const items = n.items as Json;
        if (items.properties !== undefined) {
            for (const [k, v] of Object.entries(items.properties as Record<string, Json>)) {
                rows(`${prefix}[].${k}`, v, new Set((items.required as string[] | undefined) ?? []).has(k), out);
            }
        }
    }
}

export function referenceText(): string {
    const doc = JSON.parse(schemaText()) as Json;
    const config = (doc.properties as Json).config as Json;
    const props = config.properties as Record<string, Json>;
    const required = new Set(DeliverySchema.required ?? []);
    const lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from config/schema.ts by `npm run schema`; do not edit. -->",
        "",
        "Every key of the `delivery:` namespace, as the program and `schema/stack-config.schema.json`",
        "read it. Each stack file names that schema on its first line, so an editor with the YAML",
        "language server completes keys and flags a wrong type, an unknown key, an out-of-range number",
        "or an unquoted version while you type. The program checks the same rules at start-up, plus",
        "those no schema can express (defaults and rules that depend on the environment or on other",
        "keys: a limit below its request, a PodDisruptionBudget that blocks drains, zones outside the",
        "region, a namespace or store scope of another environment, the promotion order); every problem",
        "is reported at once, and nothing is deployed.",
        "",
        "Columns: *required* (the key must be set), *default* (used when absent), *rules* (shape and",
        "range), *meaning*.",
        "",
    ];
    for (const [key, node] of Object.entries(props)) {
        const table: string[][] = [];
        rows(key, node, required.has(key.slice(NAMESPACE.length + 1) as never), table);
        lines.push(`## \`${key}\``, "", String(node.description ?? ""), "");
        if (node.anyOf === undefined && (node.type === "object" && node.additionalProperties === false || node.type === "array")) {
            lines.push("| key | type | required | default | rules | meaning |", "|---|---|---|---|---|---|");
            lines.push(...table.map((r) => `| ${r.join(" | ")} |`), "");
        } else {
            const [, type, req, def, rule] = table[0];
            lines.push(`Type: ${type}.${req ? " Required." : ""}${def ? ` Default: ${def}.` : ""}${rule ? ` Rules: ${rule}.` : ""}`, "");
        }
        if (key === `${NAMESPACE}:secrets`) {
            const stores = ((node.properties as Json).stores as Json).items as Json;
            for (const branch of stores.oneOf as Json[]) {
                const provider = String(((branch.properties as Json).provider as Json).const);
                const t: string[][] = [];
                for (const [k, v] of Object.entries(branch.properties as Record<string, Json>)) {
                    rows(k, v, new Set((branch.required as string[] | undefined) ?? []).has(k), t);
                }
                lines.push(`### \`${key}.stores[]\` with \`provider: ${provider}\``, "", String(branch.description ?? ""), "",
                    "| key | type | required | default | rules | meaning |", "|---|---|---|---|---|---|", ...t.map((r) => `| ${r.join(" | ")} |`), "");
            }
        }
    }
    return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}

export const GENERATED: readonly { readonly file: string; readonly text: () => string }[] = [
    { file: SCHEMA_FILE, text: schemaText },
    { file: REFERENCE_FILE, text: referenceText },
];

/** The generated files that differ from what is in the repository. */
export function stale(root = ROOT): string[] {
    return GENERATED.filter((g) => {
        const file = path.join(root, g.file);
        return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== g.text();
    }).map((g) => g.file);
}

// ---- what an editor shows ----------------------------------------------------------------------

export interface Diagnostic {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly message: string;
}

/**
 * Validates YAML texts as an editor with the YAML language server does, against the generated
 * schema (the one each stack file's first line names).
 */
let lintVersion = 0;

export async function lint(files: readonly { readonly file: string; readonly text: string }[], root = process.cwd()): Promise<Diagnostic[]> {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const l10n = require("@vscode/l10n") as { config(o: { fsPath: string }): unknown };
    const { getLanguageService } = require("yaml-language-server/lib/umd/languageservice/yamlLanguageService");
    const { TextDocument } = require("vscode-languageserver-textdocument");
    /* eslint-enable @typescript-eslint/no-require-imports */
    await l10n.config({ fsPath: require.resolve("yaml-language-server/l10n/bundle.l10n.json") });
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8"));
    const service = getLanguageService({
        schemaRequestService: async () => JSON.stringify(schema),
        workspaceContext: { resolveRelativePath: (p: string) => p },
        clientCapabilities: {},
    });
    service.configure({ validate: true, hover: true, completion: true, schemas: [{ uri: `file://${path.join(ROOT, SCHEMA_FILE)}`, fileMatch: ["*.yaml"], schema }] });
    const out: Diagnostic[] = [];
    for (const f of files) {
        // The service caches parsed documents by URI and version: each text gets a version of its own.
        const doc = TextDocument.create(`file://${path.resolve(root, f.file)}`, "yaml", ++lintVersion, f.text);
        const found = await service.doValidation(doc, false) as { range: { start: { line: number; character: number } }; message: string }[];
        out.push(...found.map((d) => ({ file: f.file, line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message })));
    }
    return out;
}

async function lintCommand(args: readonly string[]): Promise<number> {
    const names = args.length > 0 ? args : ["Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"];
    const files = names.map((file) => ({ file, text: fs.readFileSync(path.resolve(file), "utf8") }));
    const found = await lint(files, process.cwd());
    for (const d of found) {
        process.stdout.write(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
    }
    process.stdout.write(found.length === 0 ? `${names.join(", ")}: no problems\n` : `${found.length} problem${found.length === 1 ? "" : "s"}\n`);
    return found.length === 0 ? 0 : 1;
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    const lintAt = process.argv.indexOf("--lint");
    if (lintAt >= 0) {
        lintCommand(process.argv.slice(lintAt + 1)).then((code) => process.exit(code), (e) => {
            process.stderr.write(`schema --lint failed: ${(e as Error).message}\n`);
            process.exit(2);
        });
    } else if (check) {
        const old = stale();
        if (old.length > 0) {
            process.stderr.write(`stale: ${old.join(", ")}; run \`npm run schema\` and commit the result\n`);
            process.exit(1);
        }
        process.stdout.write(`up to date: ${GENERATED.map((g) => g.file).join(", ")}\n`);
    } else {
        for (const g of GENERATED) {
            fs.mkdirSync(path.dirname(path.join(ROOT, g.file)), { recursive: true });
            fs.writeFileSync(path.join(ROOT, g.file), g.text());
            process.stdout.write(`wrote ${g.file}\n`);
        }
    }
}

/**
 * One schema: the generated JSON Schema and config reference are current, every shipped stack
 * file names the schema and passes it, and a malformed stack file is flagged by the JSON Schema
 * alone (as an editor with the YAML language server would) and refused by the program on the same
 * key.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import { ConfigValidationError, parseConfig } from "../config";
import { DeliverySchema, PROVIDER_NAMESPACES, STORE_SCHEMAS } from "../config/schema";
import { REFERENCE_FILE, SCHEMA_FILE, lint, referenceText, schemaText, stale } from "../tools/schema";
import { stackFile } from "../tools/offline/stackfile";

const ROOT = path.resolve(__dirname, "..");
const STACKS = ["dev", "staging", "prod"] as const;
const SCHEMA_LINE = "# yaml-language-server: $schema=./schema/stack-config.schema.json";

function validator() {
    const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true });
    // Annotations the schema carries for editors and for the program's messages.
    ajv.addVocabulary(["patternErrorMessage", "x-default", "x-secret", "x-hint", "x-unique", "x-key-what", "x-max"]);
    return ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8")));
}

const validate = validator();

function errors(doc: unknown): ErrorObject[] {
    return validate(doc) ? [] : [...(validate.errors ?? [])];
}

function shipped(stack: string): Record<string, unknown> {
    return parseYaml(fs.readFileSync(stackFile(stack), "utf8")) as Record<string, unknown>;
}

/** The shipped dev file with one `delivery:*` key's value changed at a path (as a text edit would). */
function broken(stack: string, key: string, at: readonly (string | number)[], value: unknown): Record<string, unknown> {
    const doc = structuredClone(shipped(stack));
    const config = doc.config as Record<string, unknown>;
    if (at.length === 0) {
        config[key] = value;
        return doc;
    }
    let node = (config[key] ??= {}) as Record<string | number, unknown>;
    for (const p of at.slice(0, -1)) {
        node = (node[p] ??= {}) as Record<string | number, unknown>;
    }
    node[at[at.length - 1]] = value;
    return doc;
}

/** What the program says of the same document. */
function programIssues(stack: string, doc: Record<string, unknown>): string[] {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.config as Record<string, unknown>)) {
        if (k.startsWith("delivery:")) {
            values[k.slice("delivery:".length)] = v;
        }
    }
    try {
        parseConfig({ project: "delivery", stack, values, secretKeys: new Set(), root: ROOT });
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            return e.issues.map((i) => i.key);
        }
        throw e;
    }
    return [];
}

describe("one schema for the stack files", () => {
    it("the generated JSON Schema and config reference are current (npm run schema)", () => {
        assert.deepEqual(stale(), [], "run `npm run schema` and commit the result");
        assert.equal(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8"), schemaText());
        assert.equal(fs.readFileSync(path.join(ROOT, REFERENCE_FILE), "utf8"), referenceText());
    });

    it("the reference documents every key of the schema, store providers included", () => {
        const text = referenceText();
        const walk = (prefix: string, node: { properties?: Record<string, unknown> }): string[] =>
            Object.entries(node.properties ?? {}).flatMap(([k, v]) => [`${prefix}.${k}`, ...walk(`${prefix}.${k}`, v as { properties?: Record<string, unknown> })]);
        for (const key of walk("delivery:app", DeliverySchema.properties.app)) {
            assert.ok(text.includes(`\`${key}\``), `${key} is not in ${REFERENCE_FILE}`);
        }
        for (const provider of Object.keys(STORE_SCHEMAS)) {
            assert.ok(text.includes(`with \`provider: ${provider}\``), provider);
        }
    });

    for (const stack of STACKS) {
        it(`Pulumi.${stack}.yaml names the schema on its first line and passes it`, () => {
            assert.equal(fs.readFileSync(stackFile(stack), "utf8").split("\n")[0], SCHEMA_LINE);
            assert.deepEqual(errors(shipped(stack)), []);
        });
    }

    const cases: { what: string; key: string; at: (string | number)[]; value: unknown; path: string; keyword: string }[] = [
        { what: "a wrong type", key: "delivery:app", at: ["replicas"], value: "three", path: "/config/delivery:app/replicas", keyword: "type" },
        { what: "an unknown key", key: "delivery:app", at: ["replicaCount"], value: 2, path: "/config/delivery:app", keyword: "additionalProperties" },
        { what: "an unknown top-level key", key: "delivery:clusters", at: [], value: {}, path: "/config", keyword: "additionalProperties" },
        { what: "an out-of-range number", key: "delivery:app", at: ["replicas"], value: 0, path: "/config/delivery:app/replicas", keyword: "minimum" },
        { what: "an unquoted version (YAML reads 1.30 as the number 1.3)", key: "delivery:cluster", at: ["version"], value: parseYaml("1.30"), path: "/config/delivery:cluster/version", keyword: "type" },
        { what: "a value outside an enum", key: "delivery:app", at: ["logLevel"], value: "verbose", path: "/config/delivery:app/logLevel", keyword: "enum" },
        { what: "a pattern miss", key: "delivery:cluster", at: ["network", "cidr"], value: "10.300.0.0/16", path: "/config/delivery:cluster/network/cidr", keyword: "pattern" },
        { what: "a store field of another provider", key: "delivery:secrets", at: ["stores", 0, "vaultUrl"], value: "https://kv.vault.azure.net/", path: "/config/delivery:secrets/stores/0", keyword: "additionalProperties" },
        { what: "a plaintext secret", key: "delivery:vaultToken", at: [], value: "s.abcdef", path: "/config/delivery:vaultToken", keyword: "type" },
        { what: "a retired key", key: "delivery:helm", at: ["atomic"], value: true, path: "/config/delivery:helm/atomic", keyword: "not" },
    ];
    for (const c of cases) {
        it(`flags ${c.what} by the JSON Schema alone, and the program refuses the same key`, () => {
            const stack = c.key === "delivery:secrets" ? "prod" : "dev";
            const doc = broken(stack, c.key, c.at, c.value);
            const found = errors(doc);
            assert.ok(found.some((e) => e.instancePath === c.path && e.keyword === c.keyword),
                `expected ${c.keyword} at ${c.path}; got ${JSON.stringify(found.map((e) => [e.instancePath, e.keyword, e.message]))}`);
            const said = programIssues(stack, doc);
            const key = c.at.length === 0 ? c.key : `${c.key}.${c.at.join(".").replace(/\.(\d+)/g, "[$1]")}`;
            assert.ok(said.some((k) => k === key || key.startsWith(`${k}.`) || k.startsWith(`${key}`)), `program: ${said.join(", ")} (wanted ${key})`);
        });
    }

    it("an editor (the YAML language server) finds no problem in the shipped stack files", async () => {
        const files = STACKS.map((s) => ({ file: `Pulumi.${s}.yaml`, text: fs.readFileSync(stackFile(s), "utf8") }));
        assert.deepEqual(await lint(files, ROOT), []);
    });

    it("an editor (the YAML language server) flags each mistake of a broken stack file on its line, before any command", async () => {
        const lines = fs.readFileSync(stackFile("dev"), "utf8").split("\n");
        const at = (pattern: RegExp) => {
            const i = lines.findIndex((l) => pattern.test(l));
            assert.ok(i >= 0, String(pattern));
            return i;
        };
        const edits: [number, string][] = [
            [at(/^\s+version: "1\.31"/), lines[at(/^\s+version: "1\.31"/)].replace('"1.31"', "1.30")],
            [at(/^\s+replicas: 1$/), lines[at(/^\s+replicas: 1$/)].replace("1", "0")],
            [at(/^\s+network: \{ cidr:/), lines[at(/^\s+network: \{ cidr:/)].replace(/cidr: [^ }]+/, "cidr: 10.300.0.0/16")],
        ];
        for (const [i, text] of edits) {
            lines[i] = text;
        }
        const port = at(/^\s+port: 8080$/);
        lines.splice(port + 1, 0, "    replicaCount: 2");
        const found = await lint([{ file: "Pulumi.dev.yaml", text: lines.join("\n") }], ROOT);
        const on = (line: number) => found.filter((d) => d.line === line + 1).map((d) => d.message).join("; ");
        assert.equal(found.length, 4, JSON.stringify(found));
        assert.match(on(edits[0][0]), /Incorrect type\. Expected "string"/);
        assert.match(on(edits[1][0] + 1), /below the minimum of 1/);
        assert.match(on(edits[2][0]), /must be an IPv4 CIDR/);
        assert.match(on(port + 1), /Property replicaCount is not allowed/);
    });

    it("other providers' keys and Pulumi's own stack-file keys pass", () => {
        const doc = shipped("dev");
        (doc.config as Record<string, unknown>)["gcp:project"] = "acme-dev-123";
        doc.secretsprovider = "passphrase";
        assert.deepEqual(errors(doc), []);
    });

    it("a key of a namespace nothing reads is flagged; the providers' namespaces are the program's @pulumi packages", () => {
        const doc = shipped("dev");
        (doc.config as Record<string, unknown>)["deliver:app"] = { replicas: 2 };
        assert.deepEqual(errors(doc).map((e) => e.params), [{ additionalProperty: "deliver:app" }]);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const providers = Object.keys(pkg.dependencies).filter((d) => d.startsWith("@pulumi/") && d !== "@pulumi/pulumi").map((d) => d.slice("@pulumi/".length));
        assert.deepEqual([...PROVIDER_NAMESPACES].sort(), [...providers, "pulumi"].sort());
    });
});

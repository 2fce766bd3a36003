/**
 * npm run matrix [-- --check] [-- --out <file>]
 *
 * Writes docs/environment-matrix.md: for every stack, how it is delivered (from the workflows and
 * deployments/Pulumi.deployments.yaml), every key its Pulumi.<stack>.yaml sets, and the
 * effective configuration with the program's defaults filled in (config/parse.ts). Generated
 * only from files in the repository, so the page never drifts from them. `--check` writes
 * nothing and exits 1 when the page is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENTS, Environment } from "../config/environment";
import { StackConfig } from "../config/model";
import { parseDeploymentsConfig } from "../deployments/config";
import { StackDeploymentSpec, deriveDeployments } from "../deployments/derive";
import { MainStack, mainStackFromConfig, readMainProject } from "../deployments/main-project";

export const ROOT = path.resolve(__dirname, "..");
export const MATRIX_FILE = path.join("docs", "environment-matrix.md");
const MISSING = "—";

type Cells = Record<string, string | undefined>;

function isSecure(v: unknown): boolean {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

function scalar(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** Dotted keys to display values: objects flatten, lists of scalars join, secrets hide. */
export function flatten(value: unknown, prefix: string, out: Cells = {}): Cells {
    if (isSecure(value)) {
        out[prefix] = "[secret]";
    } else if (Array.isArray(value)) {
        out[prefix] = value.length === 0 ? "[]" : value.map((x) => (x !== null && typeof x === "object" ? JSON.stringify(x) : scalar(x))).join(", ");
    } else if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
        if (entries.length === 0) {
            out[prefix] = "{}";
        }
        for (const [k, v] of entries) {
            flatten(v, prefix ? `${prefix}.${k}` : k, out);
        }
    } else if (value !== undefined) {
        out[prefix] = scalar(value);
    }
    return out;
}

function cell(v: string | undefined): string {
    return v === undefined || v === "" ? MISSING : `\`${v.replace(/\|/g, "\\|").replace(/`/g, "'")}\``;
}

/** A table with one row per key, one column per stack; keys whose values differ are bold. */
function table(first: string, stacks: readonly string[], columns: Readonly<Record<string, Cells>>, keys?: readonly string[]): string[] {
    const all = keys ?? [...new Set(stacks.flatMap((s) => Object.keys(columns[s])))].sort();
    const lines = [`| ${first} | ${stacks.join(" | ")} |`, `|---|${stacks.map(() => "---").join("|")}|`];
    for (const key of all) {
        const values = stacks.map((s) => columns[s][key]);
        const differs = new Set(values.map((v) => v ?? MISSING)).size > 1;
        const label = differs ? `**${key}**` : key;
        lines.push(`| ${label} | ${values.map(cell).join(" | ")} |`);
    }
    return lines;
}

interface WorkflowFacts {
    /** Workflow file and trigger summary of the job that runs `pulumi up` on the stack. */
    readonly deployedBy: string;
    readonly environment: string;
    readonly concurrency: string;
}

function triggers(on: Record<string, any>): string {
    const parts: string[] = [];
    if (on.push?.branches) {
        parts.push(`push to ${on.push.branches.join(", ")}`);
    }
    if (on.push?.tags) {
        parts.push(`tag ${on.push.tags.join(" / ")}`);
    }
    if ("workflow_dispatch" in on) {
        parts.push("manual dispatch");
    }
    return parts.join(", ");
}

/** Who deploys each stack, read from .github/workflows (the job that runs pulumi up on it). */
function workflowFacts(root: string): Record<string, WorkflowFacts> {
    const dir = path.join(root, ".github", "workflows");
    const out: Record<string, WorkflowFacts> = {};
    if (!fs.existsSync(dir)) {
        return out;
    }
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        const doc = parseYaml(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, any>;
        for (const job of Object.values(doc.jobs ?? {}) as Record<string, any>[]) {
            const up = (job.steps ?? []).some((s: Record<string, any>) => String(s.uses ?? "").startsWith("pulumi/actions@") && s.with?.command === "up");
            const stack = /\/([\w.-]+)$/.exec(String(job.env?.STACK ?? doc.env?.STACK ?? ""))?.[1];
            if (up && stack) {
                out[stack] = {
                    deployedBy: `${file}: ${triggers(doc.on ?? {})}`,
                    environment: String(job.environment ?? ""),
                    concurrency: String(job.concurrency?.group ?? ""),
                };
            }
        }
    }
    return out;
}

function deploymentSpecs(root: string, stacks: readonly string[]): Record<string, StackDeploymentSpec> {
    const file = path.join(root, "deployments", "Pulumi.deployments.yaml");
    if (!fs.existsSync(file)) {
        return {};
    }
    const project = (parseYaml(fs.readFileSync(path.join(root, "deployments", "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const config = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    const values = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(`${project}:`)).map(([k, v]) => [k.slice(project.length + 1), v]));
    const cfg = parseDeploymentsConfig({ project, stack: "deployments", values });
    const main = readMainProject(root, Object.keys(cfg.stacks));
    const { specs } = deriveDeployments(cfg, main, project);
    return Object.fromEntries(specs.filter((s) => stacks.includes(s.stack)).map((s) => [s.stack, s]));
}

function releaseSource(c: StackConfig): string {
    if (c.pin) {
        return `pin ${c.pin.version} (${c.pin.reason})`;
    }
    return c.promotion.from ? `promotion from ${c.promotion.from}` : `delivery:release (${c.release?.version ?? "?"}, set by CI from the v<semver> tag)`;
}

function deliveryRows(stacks: readonly MainStack[], root: string): Record<string, Cells> {
    const wf = workflowFacts(root);
    const dep = deploymentSpecs(root, stacks.map((s) => s.name));
    const out: Record<string, Cells> = {};
    for (const s of stacks) {
        const c = s.config!;
        const d = dep[s.name];
        const w = wf[s.name];
        const oidc = d?.settings.operationContext.oidc;
        out[s.name] = {
            "environment": c.environment,
            "release comes from": releaseSource(c),
            "deployed by": w?.deployedBy,
            "GitHub environment (approvals)": w?.environment,
            "concurrency group": w?.concurrency,
            "Deployments: push-to-deploy": d && String(d.settings.vcs.deployCommits),
            "Deployments: PR previews": d && String(d.settings.vcs.previewPullRequests),
            "Deployments: review-stack template": d && String(d.settings.vcs.pullRequestTemplate),
            "Deployments: drift schedule (UTC)": d?.drift?.scheduleCron,
            "Deployments: drift remediation": d?.drift && (d.drift.autoRemediate ? "automatic" : "reported only"),
            "Deployments: cloud credentials": oidc?.aws ? `OIDC ${oidc.aws.roleARN}` : oidc?.azure ? `OIDC client ${oidc.azure.clientId}` : oidc?.gcp ? `OIDC ${oidc.gcp.serviceAccount}` : undefined,
            "Deployments: agent pool": d && (d.settings.agentPoolId ?? "Pulumi-hosted"),
            "policy group": d?.policyGroup && `${d.policyGroup.name} (${d.policyGroup.mode}, ${d.policyGroup.pack.name}@${d.policyGroup.pack.versionTag})`,
            "policy config": `policy/config/${s.name}.json`,
        };
    }
    return out;
}

const DELIVERY_KEYS = [
    "environment", "release comes from", "deployed by", "GitHub environment (approvals)", "concurrency group",
    "Deployments: push-to-deploy", "Deployments: PR previews", "Deployments: review-stack template",
    "Deployments: drift schedule (UTC)", "Deployments: drift remediation", "Deployments: cloud credentials",
    "Deployments: agent pool", "policy group", "policy config",
];

function environmentRank(s: MainStack): number {
    const env = s.config?.environment as Environment | undefined;
    return env ? ENVIRONMENTS.indexOf(env) : ENVIRONMENTS.length;
}

/** The page, from the files under `root`. Throws when a stack file is invalid. */
export function renderMatrix(root = ROOT): string {
    const project = (parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const names = fs.readdirSync(root).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s);
    const raw: Record<string, Record<string, unknown>> = {};
    const stacks: MainStack[] = [];
    for (const name of names) {
        const doc = parseYaml(fs.readFileSync(path.join(root, `Pulumi.${name}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null;
        raw[name] = doc?.config ?? {};
        const stack = mainStackFromConfig(project, name, raw[name]);
        if (!stack.config) {
            throw new Error(`cannot build the environment matrix: ${stack.problem}`);
        }
        stacks.push(stack);
    }
    stacks.sort((a, b) => environmentRank(a) - environmentRank(b) || a.name.localeCompare(b.name));
    const order = stacks.map((s) => s.name);

    const files: Record<string, Cells> = Object.fromEntries(order.map((s) => [s, flatten(raw[s], "")]));
    const effective: Record<string, Cells> = Object.fromEntries(stacks.map((s) => {
        const { project: _p, stack: _s, kubeconfig, ...model } = s.config!;
        const cells = flatten(model, "");
        if (kubeconfig !== undefined) {
            cells.kubeconfig = "[secret]";
        }
        return [s.name, cells];
    }));

    return [
        "# Environment matrix",
        "",
        "<!-- Generated by `npm run matrix` from Pulumi.<stack>.yaml, deployments/Pulumi.deployments.yaml and",
        "     .github/workflows. Do not edit: change those files and run `npm run matrix`. CI runs `npm run matrix -- --check`. -->",
        "",
        `Every stack of the \`${project}\` project, side by side. **Bold** rows differ between stacks; ${MISSING} means not set.`,
        "Runbooks: [setup](runbooks/setup.md), [promotion](runbooks/promotion.md), [rollback](runbooks/rollback.md),",
        "[drift](runbooks/drift.md), [new environment](runbooks/new-environment.md).",
        "",
        "## Delivery",
        "",
        "How each stack is deployed, promoted, watched and guarded.",
        "",
        ...table("", order, deliveryRows(stacks, root), DELIVERY_KEYS),
        "",
        "## Stack files",
        "",
        "Every key each `Pulumi.<stack>.yaml` sets, as written (secrets hidden).",
        "",
        ...table("key", order, files),
        "",
        "## Effective configuration",
        "",
        "What the program runs with: the stack file validated by `config/parse.ts`, code defaults filled in.",
        "",
        ...table("setting", order, effective),
        "",
    ].join("\n");
}

export interface MatrixArgs {
    readonly check: boolean;
    readonly out: string;
}

export function parseMatrixArgs(argv: readonly string[], root = ROOT): MatrixArgs {
    let check = false;
    let out = path.join(root, MATRIX_FILE);
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--check") {
            check = true;
        } else if (argv[i] === "--out") {
            out = path.resolve(argv[++i] ?? "");
        } else {
            throw new Error(`unknown argument ${argv[i]} (usage: npm run matrix [-- --check] [-- --out <file>])`);
        }
    }
    return { check, out };
}

/** Runs the command; returns the exit code. */
export function runMatrix(argv: readonly string[], root = ROOT, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
    let args: MatrixArgs;
    let page: string;
    try {
        args = parseMatrixArgs(argv, root);
        page = renderMatrix(root);
    } catch (e) {
        log(`matrix: ${e instanceof Error ? e.message : String(e)}`);
        return 2;
    }
    const shown = path.relative(root, args.out) || args.out;
    const current = fs.existsSync(args.out) ? fs.readFileSync(args.out, "utf8") : undefined;
    if (args.check) {
        if (current === page) {
            log(`matrix: ${shown} is up to date`);
            return 0;
        }
        const have = (current ?? "").split("\n");
        const want = page.split("\n");
        const line = want.findIndex((l, i) => l !== have[i]);
        log(current === undefined
            ? `matrix: ${shown} does not exist; run \`npm run matrix\` and commit it`
            : `matrix: ${shown} is stale (first difference at line ${line + 1}); run \`npm run matrix\` and commit it`);
        return 1;
    }
    if (current !== page) {
        fs.mkdirSync(path.dirname(args.out), { recursive: true });
        fs.writeFileSync(args.out, page);
    }
    log(`matrix: wrote ${shown}`);
    return 0;
}

if (require.main === module) {
    process.exit(runMatrix(process.argv.slice(2)));
}

/**
 * npm run promote -- <dev|staging|prod>          promote one stage (Automation API; below)
 * npm run promote -- --to <staging|prod> [--apply] [--json] [--config <overrides.yaml>]
 * npm run promote -- status [--json]
 *
 * Promotion as data: reads the target stack's upstream and its own current record (`pulumi stack
 * output`, the backend the CLI is logged into), evaluates the gates the program enforces —
 * upstream environment, same chart, verification, soak, freeze windows, pin — and prints what
 * would move and why it may or may not. `npm run promote -- <stage>` (the same as `--to <stage>
 * --apply`) then, with every gate open and the upstream's release verified (a stage is never
 * skipped: what moves is what the stage before runs and verified), runs the stage through the
 * Automation API (tools/promote-run.ts): preview with the stack's policy pack, `up` with it,
 * verification read back from the stack's record. The promotion itself is the normal update
 * (recorded in the stack's promotion output and history). `dev` deploys the development stack's
 * configured release the same way. When the update fails (a rollout that
 * never becomes ready), the stack is put back on the release it ran before (tools/rollback.ts):
 * its outputs and record keep naming that release, so nothing downstream takes the failed one.
 *
 * Exit codes: 0 promotable (or already up to date; with --apply: the update succeeded), 1 a gate is
 * closed (or the update failed), 2 bad input (unknown stack, invalid config, backend unreadable).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../config/parse";
import { ConfigValidationError } from "../config/reader";
import { maskSecretShapes } from "../policy/lib/secrets";
import { GateResult, RecordView, promotionGates } from "../components/promotion/gates";
import { now } from "../components/promotion";
import { failedCandidate, previousRelease } from "./rollback";
import { runStage } from "./promote-run";
import { ROOT, mergeConfig, readConfigFile, projectValues, readProject, stackFile, toProgramConfig, unknownStack } from "./offline/stackfile";

export class PromoteError extends Error {}

export interface PromoteArgs {
    /** `status`: every promotion of the chain at once (dev → staging → prod). */
    readonly status: boolean;
    readonly to: string;
    readonly apply: boolean;
    readonly json: boolean;
    readonly configFiles: string[];
}

const USAGE = "usage: npm run promote -- <dev|staging|prod> | --to staging|prod [--apply] [--json] [--config <overrides.yaml>] | status [--json]";

export function parseArgs(argv: string[]): PromoteArgs {
    const a: { to?: string; apply: boolean; json: boolean; configFiles: string[]; status: boolean } = { apply: false, json: false, configFiles: [], status: false };
    /** The value after a flag; a missing one (or another flag in its place) is a usage error. */
    const value = (i: number, what: string): string => {
        const v = argv[i + 1];
        if (v === undefined || v === "" || v.startsWith("-")) {
            throw new PromoteError(`${argv[i]} needs ${what} (${USAGE})`);
        }
        return v;
    };
    /** One target stack per run: a second one, by position or flag, is refused rather than silently winning. */
    const target = (s: string) => {
        if (a.to !== undefined && a.to !== s) {
            throw new PromoteError(`the stack is given twice (${a.to} and ${s}): one promotion per run (${USAGE})`);
        }
        a.to = s;
    };
    for (let i = 0; i < argv.length; i++) {
        const x = argv[i];
        if (x === "status") {
            a.status = true;
        } else if (!x.startsWith("-") && !a.status) {
            // `npm run promote -- staging`: promote that stage.
            target(x);
            a.apply = true;
        } else if (x === "--to" || x === "-s" || x === "--stack") {
            target(value(i++, "a stack, e.g. --to prod"));
        } else if (x === "--apply") {
            a.apply = true;
        } else if (x === "--json") {
            a.json = true;
        } else if (x === "--config" || x === "-c") {
            a.configFiles.push(value(i++, "a file in the stack file format, e.g. --config overrides.yaml"));
        } else {
            throw new PromoteError(`unknown argument ${JSON.stringify(x.slice(0, 60))} (${USAGE})`);
        }
    }
    if (a.status) {
        if (a.apply || a.to) {
            throw new PromoteError("status takes no --to or --apply: it shows every promotion of the chain");
        }
        if (a.configFiles.length > 0) {
            throw new PromoteError("status takes no --config: it reads every stack's own file");
        }
        return { status: true, to: "", apply: false, json: a.json, configFiles: a.configFiles };
    }
    if (!a.to) {
        throw new PromoteError("--to is required: the stack to promote into (staging or prod), or `status`");
    }
    return { status: false, to: a.to, apply: a.apply, json: a.json, configFiles: a.configFiles };
}

export type Outputs = Record<string, unknown>;
/** Reads a stack's outputs; `undefined` when the stack has none yet. */
export type OutputReader = (stack: string) => Outputs | undefined;

/** The project directory: the working directory when it holds a Pulumi.yaml (a workspace), else this repository. */
export function projectRoot(): string {
    return fs.existsSync(path.join(process.cwd(), "Pulumi.yaml")) ? process.cwd() : ROOT;
}

export function pulumiBinary(): string {
    return process.env.PULUMI_BIN ?? "pulumi";
}

/** `pulumi stack output --json -s <stack>` (secrets stay hidden). */
export const cliOutputs: OutputReader = (stack) => {
    const r = spawnSync(pulumiBinary(), ["stack", "output", "--json", "-s", stack, "--non-interactive"], { cwd: projectRoot(), encoding: "utf8" });
    if (r.error || r.status !== 0) {
        const why = (r.stderr || r.error?.message || "").trim().split("\n").slice(-1)[0];
        throw new PromoteError(`cannot read the outputs of stack ${stack}: ${why}`);
    }
    const text = r.stdout.trim();
    return text === "" ? undefined : (JSON.parse(text) as Outputs);
};

export interface PromotePlan {
    readonly to: string;
    readonly from: string;
    readonly result: GateResult;
    readonly history: readonly { version?: string; promotedAt?: string }[];
}

/** The target stack's config as the program reads it (stack file plus `--config` files). */
export function loadStack(args: Pick<PromoteArgs, "to" | "configFiles">): { root: string; project: string; cfg: ReturnType<typeof parseConfig> } {
    const root = projectRoot();
    const unknown = unknownStack(args.to, root);
    if (unknown !== undefined) {
        throw new PromoteError(unknown);
    }
    const project = readProject(root);
    const config = args.configFiles.reduce((acc, f) => mergeConfig(acc, readConfigFile(f, args.to)), readConfigFile(stackFile(args.to, root)));
    const program = toProgramConfig(project.name, project.defaults, config);
    const { values, secretKeys, foreignKeys } = projectValues(program);
    return { root, project: project.name, cfg: parseConfig({ project: project.name, stack: args.to, values, secretKeys, foreignKeys, root }) };
}

export function planPromotion(args: Pick<PromoteArgs, "to" | "configFiles"> & { apply?: boolean }, read: OutputReader): PromotePlan {
    const { cfg, project } = loadStack(args);
    if (!cfg.promotion.from) {
        throw new PromoteError(`stack ${args.to} is a ${cfg.environment} stack: it takes its release from ${project}:release, not by promotion (deploy it with --apply)`);
    }
    const from = cfg.promotion.from;
    const upstream = read(from.split("/").pop()!) ?? {};
    const current = read(args.to) ?? {};
    const chart = typeof (current.release as { chart?: unknown } | undefined)?.chart === "string"
        ? String((current.release as { chart: string }).chart)
        : String((upstream.release as { chart?: unknown } | undefined)?.chart ?? "");
    const result = promotionGates({
        stack: args.to, environment: cfg.environment, from, soakSeconds: cfg.promotion.soakSeconds, freeze: cfg.freeze,
        pinnedTo: cfg.pin?.version, chart,
        upstreamEnvironment: upstream.environment, upstream: upstream.promotion as RecordView | undefined, current: current.promotion as RecordView | undefined,
        now: now(), override: cfg.override, requireVerified: args.apply === true,
    });
    const history = ((current.promotion as RecordView | undefined)?.history ?? []).map((h) => ({ version: h.version, promotedAt: (h as { promotedAt?: string }).promotedAt }));
    return { to: args.to, from, result, history };
}

export function renderPlan(p: PromotePlan): string {
    const r = p.result;
    const lines = [
        `Promotion ${p.from} → ${p.to}: ${r.current ?? "(nothing deployed)"} → ${r.candidate ?? "(upstream has no release)"}${r.upToDate ? " (already up to date)" : ""}`,
        ...r.gates.map((g) => `  ${g.ok ? "✓" : "✗"} ${g.name.padEnd(8)} ${g.detail}`),
        r.ok ? (r.upToDate ? "Nothing to promote." : `Promotable: npm run promote -- ${p.to}`) : "Blocked: the gates marked ✗ must open first.",
    ];
    if (p.history.length > 0) {
        lines.push(`History of ${p.to} (newest first): ${p.history.map((h) => `${h.version}${h.promotedAt ? ` (${h.promotedAt})` : ""}`).join(", ")}`);
    }
    return lines.join("\n");
}

export interface Output {
    write(text: string): unknown;
}

export async function main(argv = process.argv.slice(2), stdout: Output = process.stdout, stderr: Output = process.stderr, read: OutputReader = cliOutputs): Promise<number> {
    try {
        const args = parseArgs(argv);
        if (args.status) {
            // dev → staging → prod: what each runs, what waits upstream and which gate holds it.
            const dev = read("dev");
            const plans = ["staging", "prod"].filter((s) => fs.existsSync(stackFile(s, projectRoot()))).map((to) => planPromotion({ to, configFiles: [] }, read));
            if (args.json) {
                stdout.write(`${JSON.stringify({ dev: (dev?.promotion as RecordView | undefined)?.release?.version ?? null, promotions: plans.map((p) => ({ to: p.to, from: p.from, ...p.result })) }, null, 2)}\n`);
            } else {
                const lines = [`dev runs ${(dev?.promotion as RecordView | undefined)?.release?.version ?? "(nothing deployed)"}`];
                for (const p of plans) {
                    const held = p.result.gates.filter((g) => !g.ok);
                    // A candidate whose update just failed here and was rolled back is promotable again,
                    // but nobody should take it for new: say so.
                    const record = read(p.to)?.promotion as RecordView | undefined;
                    const failed = record?.source === "rollback" && failedCandidate(record.pinReason) === p.result.candidate
                        ? ` (its update here failed and was rolled back at ${record.promotedAt ?? "an unknown time"}: fix it upstream, or run npm run promote -- ${p.to} to try again)`
                        : "";
                    lines.push(`${p.to} runs ${p.result.current ?? "(nothing deployed)"}; ${p.result.upToDate ? "up to date with" : `${p.result.candidate ?? "nothing"} waits in`} ${p.from}` +
                        (p.result.upToDate ? "" : held.length === 0 ? ` — promotable${failed}` : ` — held by ${held.map((g) => `${g.name} (${g.detail})`).join("; ")}${failed}`));
                }
                stdout.write(`${lines.join("\n")}\n`);
            }
            return 0;
        }
        const target = loadStack(args);
        if (!target.cfg.promotion.from && args.apply) {
            const candidate = target.cfg.release?.version ?? "(no release)";
            stdout.write(`Deploying ${args.to}'s configured release ${candidate}\n`);
            return await deploy(args.to, target, candidate, read, stdout);
        }
        const p = planPromotion(args, read);
        stdout.write(`${args.json ? JSON.stringify({ to: p.to, from: p.from, ...p.result, history: p.history }, null, 2) : renderPlan(p)}\n`);
        if (!p.result.ok) {
            return 1;
        }
        if (args.apply && !p.result.upToDate) {
            return await deploy(p.to, target, p.result.candidate ?? "(unknown)", read, stdout);
        }
        return 0;
    } catch (e) {
        if (e instanceof PromoteError || e instanceof ConfigValidationError) {
            stderr.write(`promote failed: ${maskSecretShapes(e.message)}\n`);
            return 2;
        }
        stderr.write(`promote failed: ${maskSecretShapes(e instanceof Error ? e.message.split("\n")[0] : String(e))} (internal error)\n`);
        return 70;
    }
}

/** The stage through the Automation API: preview with the pack, up (rolled back on failure), verification. */
async function deploy(stack: string, target: ReturnType<typeof loadStack>, candidate: string, read: OutputReader, stdout: Output): Promise<number> {
    const { root } = target;
    const outcome = await runStage({
        stack, project: target.project, environment: target.cfg.environment, root, stackFile: stackFile(stack, root), candidate,
        previous: previousRelease(read(stack)),
        outputs: () => read(stack),
        say: (line) => stdout.write(`${line}\n`),
        engineOutput: (text) => stdout.write(text),
    });
    return outcome === "promoted" ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}

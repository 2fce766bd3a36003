/**
 * npm run plan -- --stack <name> [--config <overrides.yaml>]... [--json]
 *
 * Offline plan: evaluates the program for a stack with its real stack file (plus overrides),
 * after the stacks it promotes from, with cloud calls stubbed, and prints what it would register
 * and its promotion record. Exit codes: 0 ok, 2 invalid configuration.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { evaluateChain, UpstreamError } from "./offline/chain";
import { Evaluation, redact, stackConfig } from "./offline/evaluate";
import { readConfigFile, stackFile } from "./offline/stackfile";
import { summarize } from "./offline/summary";

export const OFFLINE_NOTE =
    "Offline plan: cloud calls are stubbed. Values that providers compute (endpoints, ARNs, IDs, OIDC issuers) are placeholders, not real; nothing was deployed.";

export interface PlanArgs {
    readonly stack: string;
    readonly configFiles: string[];
    readonly json: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): PlanArgs {
    const args: { stack?: string; configFiles: string[]; json: boolean } = { configFiles: [], json: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "-s") {
            args.stack = argv[++i];
        } else if (a === "--config" || a === "-c") {
            args.configFiles.push(argv[++i]);
        } else if (a === "--json") {
            args.json = true;
        } else {
            throw new UsageError(`unknown argument ${a}`);
        }
    }
    if (!args.stack) {
        throw new UsageError("--stack is required (dev, staging or prod)");
    }
    return { stack: args.stack, configFiles: args.configFiles, json: args.json };
}

export interface PlanResult {
    readonly stack: string;
    readonly evaluation: Evaluation;
    readonly upstream: string[];
}

/** Evaluates the stack; throws a RunError/UsageError for bad input. */
export async function plan(args: PlanArgs): Promise<PlanResult> {
    if (!fs.existsSync(stackFile(args.stack))) {
        throw new UsageError(`no stack file ${stackFile(args.stack)} for stack "${args.stack}"`);
    }
    const overrides = args.configFiles.map((f) => readConfigFile(f));
    const chain = await evaluateChain(args.stack, stackConfig(args.stack, ...overrides));
    return { stack: args.stack, evaluation: chain.target, upstream: Object.keys(chain.upstream) };
}

export function visibleOutputs(ev: Evaluation): Record<string, unknown> {
    return Object.fromEntries(Object.entries(ev.outputs).map(([k, v]) => [k, ev.secretOutputNames.includes(k) ? "[secret]" : redact(v)]));
}

export function renderText(p: PlanResult): string {
    const ev = p.evaluation;
    const out = visibleOutputs(ev);
    const lines = [OFFLINE_NOTE, "", `Stack: ${p.stack}   environment: ${String(out.environment)}`];
    if (p.upstream.length > 0) {
        lines.push(`Upstream stacks evaluated first: ${p.upstream.join(", ")}`);
    }
    lines.push("", `Resources (${ev.resources.length}):`);
    const width = Math.min(56, Math.max(...ev.resources.map((r) => r.type.length)));
    for (const r of ev.resources) {
        const flags = r.protect ? " [protected]" : "";
        lines.push(`  ${r.type.padEnd(width)}  ${r.name}${flags}  ${summarize(r)}`.trimEnd());
    }
    const rec = out.promotion as { source: string; upstreamStack: string; pinned: boolean; pinReason: string; release: Record<string, string> } | undefined;
    if (rec) {
        lines.push("", "Promotion record:");
        lines.push(`  release:  ${rec.release.version} (image ${String(out.image)}, chart ${rec.release.chart} ${rec.release.chartVersion})`);
        lines.push(`  source:   ${rec.source}${rec.upstreamStack ? ` (upstream ${rec.upstreamStack})` : ""}`);
        if (rec.pinned) {
            lines.push(`  pinned:   yes — ${rec.pinReason}`);
        }
    }
    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(out)) {
        if (k !== "promotion") {
            lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
        }
    }
    return lines.join("\n");
}

export function renderJson(p: PlanResult): string {
    const ev = p.evaluation;
    return JSON.stringify({
        offline: true,
        note: OFFLINE_NOTE,
        stack: p.stack,
        upstream: p.upstream,
        resources: ev.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent, protect: r.protect, inputs: r.display })),
        outputs: visibleOutputs(ev),
    }, null, 2);
}

/** Maps a failure to the message and exit code the CLI reports. */
export function failure(e: unknown): { code: number; message: string } {
    if (e instanceof UsageError || e instanceof pulumi.RunError || e instanceof UpstreamError) {
        return { code: 2, message: e.message };
    }
    if (e instanceof Error && e.name === "ConfigValidationError") {
        return { code: 2, message: e.message };
    }
    return { code: 70, message: e instanceof Error ? e.stack ?? e.message : String(e) };
}

async function main(): Promise<number> {
    let args: PlanArgs;
    try {
        args = parseArgs(process.argv.slice(2));
        const result = await plan(args);
        process.stdout.write(`${args.json ? renderJson(result) : renderText(result)}\n`);
        return 0;
    } catch (e) {
        const f = failure(e);
        process.stderr.write(`plan failed: ${f.message}\n`);
        return f.code;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}

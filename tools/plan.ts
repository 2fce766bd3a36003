/**
 * npm run plan -- --stack <name> [--config <overrides.yaml>]... [--policy-config <file.json>] [--json]
 *
 * Offline plan: evaluates the program for a stack with its real stack file (plus overrides),
 * after the stacks it promotes from, with cloud calls stubbed, and prints what it would register
 * and its promotion record. Then it runs the policy pack (policy/) on what was registered, at the
 * stack's enforcement levels (policy/config/<stack>.json unless --policy-config names another),
 * and prints the violations grouped by level.
 * Exit codes: 0 no mandatory violation, 1 mandatory policy violation(s), 2 invalid configuration
 * (stack or policy config).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { evaluateChain, UpstreamError } from "./offline/chain";
import { Evaluation, redact, stackConfig } from "./offline/evaluate";
import {
    PolicyCheckResult, PolicyConfigError, checkPolicies, loadPolicyConfig, mandatoryViolations, renderPolicyReport, resolveConfigFile,
} from "./offline/policy-check";
import { ROOT, readConfigFile, unknownStack } from "./offline/stackfile";
import { summarize } from "./offline/summary";
import { RenderError } from "./offline/render";
import { CostEstimate, describeCost } from "../config/cost";
import { maskSecretShapes } from "../policy/lib/secrets";

export const OFFLINE_NOTE =
    "Offline plan: cloud calls are stubbed. Values that providers compute (endpoints, ARNs, IDs, OIDC issuers) are placeholders, not real; nothing was deployed.";

export interface PlanArgs {
    readonly stack: string;
    readonly configFiles: string[];
    readonly json: boolean;
    /** Policy config for the check; default policy/config/<stack>.json when it exists. */
    readonly policyConfig?: string;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): PlanArgs {
    const args: { stack?: string; configFiles: string[]; json: boolean; policyConfig?: string } = { configFiles: [], json: false };
    /** The value after a flag; a missing one (or another flag in its place) is a usage error. */
    const value = (i: number, what: string): string => {
        const v = argv[i + 1];
        if (v === undefined || v === "" || v.startsWith("-")) {
            throw new UsageError(`${argv[i]} needs ${what}`);
        }
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "-s") {
            const s = value(i++, "a stack name, e.g. --stack prod");
            if (args.stack !== undefined && args.stack !== s) {
                throw new UsageError(`--stack is given twice (${args.stack} and ${s}): a plan is of one stack`);
            }
            args.stack = s;
        } else if (a === "--config" || a === "-c") {
            args.configFiles.push(value(i++, "a file in the stack file format, e.g. --config overrides.yaml"));
        } else if (a === "--policy-config") {
            const f = value(i++, "a file, e.g. policy/config/prod.json");
            if (args.policyConfig !== undefined && args.policyConfig !== f) {
                throw new UsageError(`--policy-config is given twice (${args.policyConfig} and ${f})`);
            }
            args.policyConfig = f;
        } else if (a === "--json") {
            args.json = true;
        } else {
            throw new UsageError(`unknown argument ${JSON.stringify(a.slice(0, 60))} (usage: npm run plan -- --stack <stack> [--config <overrides.yaml>]... [--policy-config <file.json>] [--json])`);
        }
    }
    if (!args.stack) {
        throw new UsageError("--stack is required (dev, staging or prod)");
    }
    return { stack: args.stack, configFiles: args.configFiles, json: args.json, ...(args.policyConfig ? { policyConfig: args.policyConfig } : {}) };
}

export interface PlanResult {
    readonly stack: string;
    readonly evaluation: Evaluation;
    readonly upstream: string[];
    /** The policy pack's verdict on what the stack registers. */
    readonly policy: PolicyCheckResult;
}

/**
 * Evaluates the stack and runs the policy pack on it; throws a RunError/UsageError/
 * PolicyConfigError for bad input (the policy config is checked before anything is evaluated).
 */
export async function plan(args: PlanArgs): Promise<PlanResult> {
    const unknown = unknownStack(args.stack);
    if (unknown !== undefined) {
        throw new UsageError(unknown);
    }
    const checkOptions = { stack: args.stack, configFile: args.policyConfig };
    loadPolicyConfig(resolveConfigFile(checkOptions));
    const overrides = args.configFiles.map((f) => readConfigFile(f, args.stack));
    const chain = await evaluateChain(args.stack, stackConfig(args.stack, ...overrides));
    const policy = await checkPolicies(chain.target.resources, checkOptions);
    return { stack: args.stack, evaluation: chain.target, upstream: Object.keys(chain.upstream), policy };
}

/** 1 when the policy pack reports a mandatory violation, else 0. */
export function exitCode(p: PlanResult): number {
    return mandatoryViolations(p.policy).length > 0 ? 1 : 0;
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
    const cost = out.cost as (CostEstimate & { budgetUsd: number | null }) | undefined;
    if (cost) {
        lines.push("", ...describeCost(p.stack, cost, cost.budgetUsd === null ? undefined : { monthlyUsd: cost.budgetUsd }));
    }
    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(out)) {
        if (k !== "promotion" && k !== "cost") {
            lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
        }
    }
    lines.push("", renderPolicyReport(p.policy));
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
        policyPack: { ...p.policy.pack, config: p.policy.configFile ? path.relative(ROOT, p.policy.configFile) : null },
        violations: p.policy.violations.map((v) => ({
            policy: v.policy, level: v.level, severity: v.severity, resourceType: v.resourceType, resourceName: v.resourceName, message: v.message,
        })),
    }, null, 2);
}

/** Maps a failure to the message and exit code the CLI reports. */
export function failure(e: unknown): { code: number; message: string } {
    if (e instanceof UsageError || e instanceof pulumi.RunError || e instanceof UpstreamError || e instanceof PolicyConfigError || e instanceof RenderError) {
        return { code: 2, message: e.message };
    }
    if (e instanceof Error && e.name === "ConfigValidationError") {
        return { code: 2, message: e.message };
    }
    const text = e instanceof Error ? e.message : String(e);
    const missing = /unknown stack "([^"]+)" \(no such stack in this offline evaluation\)/.exec(text);
    if (missing) {
        return { code: 2, message: `the stack reads ${missing[1]} (a StackReference), which is not a stack of this project here (no Pulumi.${missing[1].split("/").pop()}.yaml); check delivery:promotion.from and delivery:cluster.stack` };
    }
    // A bug, not bad input: the message, and the stack only when asked for.
    return { code: 70, message: process.env.DELIVERY_DEBUG ? (e instanceof Error ? e.stack ?? text : text) : `${text.split("\n")[0]} (internal error; DELIVERY_DEBUG=1 prints the stack)` };
}

export interface Output {
    write(text: string): unknown;
}

/** The command: parses `argv`, plans, prints, and returns the exit code (0, 1, 2, or 70 for a bug). */
export async function main(argv: string[] = process.argv.slice(2), stdout: Output = process.stdout, stderr: Output = process.stderr): Promise<number> {
    let args: PlanArgs;
    try {
        args = parseArgs(argv);
        const result = await plan(args);
        stdout.write(`${args.json ? renderJson(result) : renderText(result)}\n`);
        const code = exitCode(result);
        if (code !== 0) {
            stderr.write(`plan failed: ${mandatoryViolations(result.policy).length} mandatory policy violation(s): ${[...new Set(mandatoryViolations(result.policy).map((v) => v.policy))].join(", ")}\n`);
        }
        return code;
    } catch (e) {
        const f = failure(e);
        stderr.write(`plan failed: ${maskSecretShapes(f.message)}\n`);
        return f.code;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}

/**
 * The promotion gates as data: whether a stack may take its upstream's release now, and why not.
 * The program applies them inside `pulumi up` (components/promotion); `npm run promote` evaluates
 * the same gates on the stacks' real outputs before running anything. Pure: no Pulumi runtime.
 */
import { Environment, UPSTREAM } from "../../config/environment";
import { FreezeWindow, GateOverride } from "../../config/model";

/** The parts of a promotion record the gates read (any stack's `promotion` output). */
export interface RecordView {
    readonly environment?: string;
    readonly source?: string;
    readonly release?: { readonly version?: string; readonly imageTag?: string; readonly imageDigest?: string; readonly chart?: string };
    readonly promotedAt?: string;
    readonly verification?: { readonly status?: string; readonly at?: string };
    readonly history?: readonly { readonly version?: string }[];
    readonly pinned?: boolean;
    readonly pinReason?: string;
}

export interface Gate {
    readonly name: "upstream" | "chart" | "verified" | "soak" | "freeze" | "pin";
    readonly ok: boolean;
    readonly detail: string;
}

export interface GateInput {
    readonly stack: string;
    readonly environment: Environment;
    readonly from: string;
    readonly soakSeconds: number;
    readonly freeze: readonly FreezeWindow[];
    /** The version the stack is pinned to, if it is. */
    readonly pinnedTo?: string;
    /** The chart this stack deploys (its name). */
    readonly chart: string;
    readonly upstreamEnvironment: unknown;
    readonly upstream: RecordView | undefined;
    readonly current: RecordView | undefined;
    readonly now: Date;
    /** `delivery:override` of the target stack: the gates it opens, recorded with its reason. */
    readonly override?: GateOverride;
    /** The upstream's release must be verified even without a soak (`npm run promote -- <stage>`). */
    readonly requireVerified?: boolean;
}

export interface GateResult {
    /** The release the upstream runs (what would move), if it has one. */
    readonly candidate?: string;
    /** The release this stack runs now. */
    readonly current?: string;
    /** Nothing would change: the stack already runs the candidate. */
    readonly upToDate: boolean;
    readonly gates: readonly Gate[];
    readonly ok: boolean;
}

export function formatDuration(seconds: number): string {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.ceil((seconds % 3600) / 60);
    return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].join("") || "0m";
}

/** The freeze window `at` falls in, if any. */
export function activeFreeze(freeze: readonly FreezeWindow[], at: Date): FreezeWindow | undefined {
    return freeze.find((w) => Date.parse(w.from) <= at.getTime() && at.getTime() < Date.parse(w.to));
}

/** The soak gate: undefined when the upstream's release is verified and old enough, else why not. */
export function soakProblem(upstream: RecordView | undefined, soakSeconds: number, now: Date, from: string): string | undefined {
    if (soakSeconds <= 0) {
        return undefined;
    }
    const version = upstream?.release?.version ?? "?";
    if (upstream?.verification?.status !== "passed" || !upstream.verification.at) {
        return `${from}'s release ${version} is not verified (verification ${upstream?.verification?.status ?? "missing"}); the soak needs a verified upstream release`;
    }
    const ready = Date.parse(upstream.verification.at) + soakSeconds * 1000;
    if (now.getTime() < ready) {
        return `${from} verified ${version} at ${upstream.verification.at}, less than the soak of ${formatDuration(soakSeconds)} ago; it may go at ${new Date(ready).toISOString()}`;
    }
    return undefined;
}

export function promotionGates(i: GateInput): GateResult {
    const expected = UPSTREAM[i.environment];
    const candidate = i.upstream?.release?.version;
    const current = i.current?.release?.version;
    const same = (a: RecordView["release"], b: RecordView["release"]) =>
        a !== undefined && b !== undefined && a.version === b.version && (a.imageDigest ?? "") === (b.imageDigest ?? "") && a.imageTag === b.imageTag;
    const upToDate = same(i.upstream?.release, i.current?.release);
    const gates: Gate[] = [];
    gates.push(expected !== undefined && i.upstreamEnvironment === expected
        ? { name: "upstream", ok: true, detail: `${i.from} is a ${expected} stack` }
        : { name: "upstream", ok: false, detail: expected === undefined ? `${i.stack} is a development stack: it takes its release from delivery:release` : `${i.from} is ${i.upstreamEnvironment === undefined ? "not deployed (no environment output)" : `a ${String(i.upstreamEnvironment)} stack`}; ${i.environment} takes releases from ${expected} only` });
    const upChart = i.upstream?.release?.chart;
    gates.push(upChart === undefined || upChart === i.chart
        ? { name: "chart", ok: upChart !== undefined, detail: upChart === undefined ? `${i.from} has no release` : `both run chart ${i.chart}` }
        : { name: "chart", ok: false, detail: `${i.from} runs chart ${upChart}, ${i.stack} deploys ${i.chart}` });
    const over = (g: "soak" | "freeze") => i.override?.gates.includes(g) === true;
    const overDetail = (g: string) => `overridden (${g}) with delivery:override: ${i.override?.reason ?? ""}`;
    const verified = i.upstream?.verification?.status === "passed";
    const optional = i.soakSeconds === 0 && i.requireVerified !== true;
    gates.push({ name: "verified", ok: verified || optional || over("soak"), detail: verified ? `${i.from} verified ${candidate} at ${i.upstream?.verification?.at}` : `${i.from}'s release is ${i.upstream?.verification?.status ?? "unverified"}${optional ? " (no soak required)" : ""}` });
    const soak = upToDate ? undefined : soakProblem(i.upstream, i.soakSeconds, i.now, i.from);
    gates.push({ name: "soak", ok: soak === undefined || over("soak"), detail: soak && over("soak") ? overDetail("soak") : soak ?? (i.soakSeconds > 0 ? `soaked at least ${formatDuration(i.soakSeconds)}` : "no soak required") });
    const w = upToDate ? undefined : activeFreeze(i.freeze, i.now);
    gates.push({ name: "freeze", ok: w === undefined || over("freeze"), detail: w ? `frozen until ${w.to} (${w.reason})${over("freeze") ? `; ${overDetail("freeze")}` : ""}` : "no freeze window now" });
    gates.push({ name: "pin", ok: i.pinnedTo === undefined, detail: i.pinnedTo === undefined ? "not pinned" : `pinned to ${i.pinnedTo}: remove delivery:pin to follow ${i.from}` });
    return { candidate, current, upToDate, gates, ok: gates.every((g) => g.ok) };
}

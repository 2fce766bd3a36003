/**
 * Evaluates a stack together with the stacks it references (promotion source, shared cluster),
 * upstream first, so staging sees what dev would export and prod what staging would.
 */
import * as fs from "fs";
import { environmentFromAlias, environmentFromStackName, SHORT_NAMES, UPSTREAM } from "../../config/environment";
import { Evaluation, ORGANIZATION, evaluateProgram } from "./evaluate";
import { UpstreamOutputs } from "./mocks";
import { parseDuration } from "../../config/parse";
import { PromotionSchema } from "../../config/schema";
import { ConfigMap, readConfigFile, readProject, stackFile, mergeConfig } from "./stackfile";

/** Stack reference names a stack's config points at (promotion source, shared cluster). */
export function referencedStacks(stack: string, config: ConfigMap, project: string): string[] {
    const get = (key: string) => config[`${project}:${key}`] as Record<string, unknown> | string | undefined;
    const refs: string[] = [];
    const pin = get("pin");
    const promotion = get("promotion") as Record<string, unknown> | undefined;
    const explicitEnv = get("environment");
    const env = (typeof explicitEnv === "string" && explicitEnv !== "" ? environmentFromAlias(explicitEnv) : undefined) ?? environmentFromStackName(stack);
    const upstreamEnv = env ? UPSTREAM[env] : undefined;
    // A production pin still reads the upstream (the pin must name a release it ran), unless it is an emergency.
    const emergencyPin = typeof pin === "object" && pin !== null && (pin as Record<string, unknown>).emergency === true;
    const readsUpstream = pin === undefined || (env === "production" && !emergencyPin);
    if (readsUpstream && upstreamEnv) {
        const from = typeof promotion?.from === "string" ? promotion.from : `${ORGANIZATION}/${project}/${SHORT_NAMES[upstreamEnv]}`;
        refs.push(from);
    }
    const cluster = get("cluster") as Record<string, unknown> | undefined;
    if (cluster?.provider === "stack" && typeof cluster.stack === "string") {
        refs.push(cluster.stack);
    }
    return [...new Set(refs)];
}

const upstreamCache = new Map<string, Evaluation>();

export interface ChainResult {
    /** The target stack's evaluation. */
    readonly target: Evaluation;
    /** Upstream evaluations, by stack reference name. */
    readonly upstream: Record<string, Evaluation>;
}

export class UpstreamError extends Error {
    constructor(readonly upstreamStack: string, readonly cause: unknown) {
        super(`upstream stack ${upstreamStack} could not be evaluated: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
}

/** The soak a stack's config asks of its upstream (`promotion.soak`), in seconds. */
export function soakOf(config: ConfigMap, project: string): number {
    const soak = parseDuration((config[`${project}:promotion`] as { soak?: unknown } | undefined)?.soak) ?? 0;
    // A soak past the schema's longest is refused by the stack's own config check; the upstream is evaluated without it.
    return soak <= (parseDuration(PromotionSchema.properties.soak["x-max"]) ?? 0) ? soak : 0;
}

/** Runs `f` with the program's clock (DELIVERY_NOW) set back by `seconds`. */
export async function earlier<T>(seconds: number, f: () => Promise<T>): Promise<T> {
    if (seconds <= 0) {
        return f();
    }
    const saved = process.env.DELIVERY_NOW;
    const base = saved && !Number.isNaN(Date.parse(saved)) ? Date.parse(saved) : Date.now();
    process.env.DELIVERY_NOW = new Date(base - seconds * 1000).toISOString();
    try {
        return await f();
    } finally {
        if (saved === undefined) {
            delete process.env.DELIVERY_NOW;
        } else {
            process.env.DELIVERY_NOW = saved;
        }
    }
}

/**
 * Evaluates `stack` with `config`; every referenced stack with a stack file here is evaluated
 * first from its own file (`extraUpstream` adds or replaces upstream outputs by name). An upstream
 * evaluated from its file is taken to have run its release for exactly the soak the stack below
 * asks (its clock set back by that soak, a minute more), so the plan shows the stack once its
 * upstream's release may move; a real upstream's record is what `pulumi up` and
 * `npm run promote` judge.
 */
export async function evaluateChain(stack: string, config: ConfigMap, extraUpstream: UpstreamOutputs = {}): Promise<ChainResult> {
    const project = readProject().name;
    const done: Record<string, Evaluation> = {};

    async function upstreamFor(name: string, cfg: ConfigMap, seen: string[]): Promise<UpstreamOutputs> {
        const out: UpstreamOutputs = {};
        const soak = soakOf(cfg, project);
        for (const ref of referencedStacks(name, cfg, project)) {
            if (extraUpstream[ref]) {
                continue;
            }
            const refStack = ref.split("/").pop() as string;
            if (!fs.existsSync(stackFile(refStack)) || seen.includes(refStack)) {
                continue; // the program then reports the missing stack itself
            }
            if (!done[ref]) {
                const refCfg = readConfigFile(stackFile(refStack));
                const refUpstream = await earlier(soak > 0 ? soak + 60 : 0, () => upstreamFor(refStack, refCfg, [...seen, refStack]));
                // An upstream stack evaluated from the same file with the same inputs gives the same
                // result, so it is evaluated once per process.
                const key = JSON.stringify([refStack, refCfg, refUpstream, soak]);
                if (!upstreamCache.has(key)) {
                    try {
                        upstreamCache.set(key, await earlier(soak > 0 ? soak + 60 : 0, () => evaluateProgram({ stack: refStack, config: refCfg, upstream: refUpstream })));
                    } catch (e) {
                        throw new UpstreamError(ref, e);
                    }
                }
                done[ref] = upstreamCache.get(key)!;
            }
            out[ref] = { ...done[ref].outputs, __secretOutputNames: done[ref].secretOutputNames };
        }
        return { ...out, ...extraUpstream };
    }

    const upstream = await upstreamFor(stack, config, [stack]);
    const target = await evaluateProgram({ stack, config, upstream });
    return { target, upstream: done };
}

export { mergeConfig };

/**
 * Where a stack's release comes from: dev from config, staging from dev, prod from staging, or a
 * pin recorded with its reason. Every stack exports the resulting promotion record.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Environment, UPSTREAM, SHORT_NAMES } from "../../config/environment";
import { ChartConfig, GateOverride, StackConfig } from "../../config/model";
import { directoryDigest } from "./digest";
import { activeFreeze, soakProblem } from "./gates";
import type { BlueGreenState } from "../app/bluegreen";

export { directoryDigest };

/** Stack outputs a downstream stack reads. */
export const RELEASE_OUTPUT = "release";
export const ENVIRONMENT_OUTPUT = "environment";
/** The image reference a stack runs (repository with tag or digest), read from its upstream. */
export const IMAGE_OUTPUT = "image";

/** `ghcr.io/acme/storefront` from `ghcr.io/acme/storefront:1.8.3` or `…@sha256:…`. */
export function imageRepository(ref: string): string {
    const bare = ref.split("@")[0];
    const colon = bare.lastIndexOf(":");
    return colon > bare.lastIndexOf("/") ? bare.slice(0, colon) : bare;
}

/** What runs: promotion moves this whole object from one stack to the next. */
export interface ReleaseRecord {
    readonly version: string;
    readonly imageTag: string;
    readonly imageDigest: string;
    readonly chart: string;
    readonly chartVersion: string;
    /** Where the chart comes from: `charts/app`, `https://charts.acme.io`, `oci://ghcr.io/acme/charts/app`. */
    readonly chartSource?: string;
    /** `sha256:` of a chart directory's files (the source gives no digest for repository charts). */
    readonly chartDigest?: string;
}

/**
 * `config`: development's own release; `upstream`: promoted; `rollback`: pinned to a release this
 * stack has run (its current one or one in its history); `pin`: pinned to one it never ran.
 */
export type ReleaseSource = "config" | "upstream" | "pin" | "rollback";

/** What this stack checked about the release it runs, inside the update that deployed it. */
export interface Verification {
    /** `passed`: the update finished only after the checks; `pending`: nothing waited (helm.wait false). */
    readonly status: "passed" | "pending";
    readonly at: string;
    readonly checked: readonly string[];
}

/** One earlier release of this stack, newest first. */
export interface HistoryEntry {
    readonly version: string;
    readonly image: string;
    readonly chart: string;
    readonly source: ReleaseSource;
    readonly promotedAt: string;
    readonly promotedBy: string;
}

export interface PromotionRecord {
    readonly environment: Environment;
    readonly source: ReleaseSource;
    /** The stack releases come from (empty for development). */
    readonly upstreamStack: string;
    readonly pinned: boolean;
    readonly pinReason: string;
    /** A pin to a release the upstream chain never ran. */
    readonly emergency: boolean;
    readonly release: ReleaseRecord;
    /** When the update that deployed this release ran (kept while the release stays the same). */
    readonly promotedAt: string;
    /** Who ran it: the CI actor or the user. */
    readonly promotedBy: string;
    /** The program's commit, when known. */
    readonly commit: string;
    /** The upstream record this release came from (version and when the upstream deployed it). */
    readonly upstreamRecord?: { readonly version: string; readonly promotedAt: string };
    readonly verification: Verification;
    /** The releases this stack ran before, newest first (at most HISTORY_SIZE). */
    readonly history: readonly HistoryEntry[];
    /** `sha256:` of the chart and the values it rendered from (added where the release is deployed). */
    readonly configHash?: string;
    /** The emergency override of soak or freeze this update ran with (`delivery:override`). */
    readonly override?: GateOverride;
    /** Blue-green stacks: which colour serves, what each runs, the standby (see components/app/bluegreen). */
    readonly rollout?: BlueGreenState;
}

export const HISTORY_SIZE = 10;
export const PROMOTION_OUTPUT = "promotion";

/** The time the program treats as now (DELIVERY_NOW, for rehearsals and tests). */
export function now(): Date {
    const forced = process.env.DELIVERY_NOW;
    return forced && !Number.isNaN(Date.parse(forced)) ? new Date(forced) : new Date();
}

export function actor(): string {
    return process.env.GITHUB_ACTOR ?? process.env.PULUMI_DEPLOYMENTS_ACTOR ?? process.env.USER ?? process.env.USERNAME ?? "unknown";
}

export function commitOf(): string {
    return process.env.GITHUB_SHA ?? process.env.DELIVERY_COMMIT ?? "";
}

/** The release identity that decides whether anything changed. */
function identity(r: ReleaseRecord, source: ReleaseSource, pinReason: string): string {
    return JSON.stringify([r.version, r.imageTag, r.imageDigest, r.chart, r.chartVersion, r.chartDigest ?? "", source, pinReason]);
}

function isRecord(v: unknown): v is PromotionRecord {
    const r = v as Partial<PromotionRecord> | undefined;
    return typeof r === "object" && r !== null && typeof r.source === "string" && typeof r.release === "object" && r.release !== null;
}

/** The stack ran this release (its current record or one in its history). */
function ranBefore(prev: unknown, r: ReleaseRecord): boolean {
    if (!isRecord(prev)) {
        return false;
    }
    return prev.release.version === r.version || (prev.history ?? []).some((h) => h.version === r.version);
}

function historyEntry(r: PromotionRecord, image: string): HistoryEntry {
    return { version: r.release.version, image: imageRef(image, r.release), chart: `${r.release.chart}-${r.release.chartVersion}`, source: r.source, promotedAt: r.promotedAt ?? "", promotedBy: r.promotedBy ?? "" };
}

/**
 * The record of this update: provenance and history carried over from the stack's previous
 * record when the release is the same (so a no-change update changes nothing), renewed when it moves.
 */
export function nextRecord(
    previous: unknown, base: Omit<PromotionRecord, "promotedAt" | "promotedBy" | "commit" | "verification" | "history">, image: string, wait: boolean,
): PromotionRecord {
    const prev = isRecord(previous) ? previous : undefined;
    const same = prev !== undefined && identity(prev.release, prev.source, prev.pinReason) === identity(base.release, base.source, base.pinReason);
    const at = same && prev.promotedAt ? prev.promotedAt : now().toISOString();
    const checks = wait ? ["every rendered workload rolled out and ready (Pulumi waits; the update fails otherwise)"] : [];
    return {
        ...base,
        // The same release keeps the provenance it was promoted with.
        ...(same && prev.upstreamRecord ? { upstreamRecord: prev.upstreamRecord } : {}),
        promotedAt: at,
        promotedBy: same && prev.promotedBy ? prev.promotedBy : actor(),
        commit: same && prev.commit !== undefined ? prev.commit : commitOf(),
        verification: { status: wait ? "passed" : "pending", at, checked: checks },
        history: same ? [...(prev.history ?? [])] : prev ? [historyEntry(prev, image), ...(prev.history ?? [])].slice(0, HISTORY_SIZE) : [],
    };
}

export interface ResolvedRelease {
    readonly release: pulumi.Output<ReleaseRecord>;
    readonly record: pulumi.Output<PromotionRecord>;
    /** The stack's own record as its last update left it (undefined on the first). */
    readonly previous: pulumi.Output<unknown>;
}

/** Name and version of a chart on disk, from its Chart.yaml. */
export function readLocalChart(chartPath: string): { name: string; version: string } {
    const file = path.resolve(chartPath, "Chart.yaml");
    if (!fs.existsSync(file)) {
        throw new pulumi.RunError(`chart.path: ${chartPath} has no Chart.yaml (stack ${pulumi.getStack()}); use the bundled chart (charts/app) or a chart repository`);
    }
    const chart = parseYaml(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
    return { name: String(chart.name), version: String(chart.version) };
}

export interface ChartIdentity {
    readonly name: string;
    readonly version: string;
    readonly source: string;
    readonly digest?: string;
}

export function chartIdentity(chart: ChartConfig): ChartIdentity {
    switch (chart.kind) {
        case "path":
            return { ...readLocalChart(chart.path), source: chart.path, digest: directoryDigest(path.resolve(chart.path)) };
        case "repository":
            return { name: chart.name, version: chart.version, source: chart.repository };
        case "oci":
            return { name: chart.name, version: chart.version, source: `${chart.repository}/${chart.name}` };
    }
}

export function imageRef(image: string, release: Pick<ReleaseRecord, "imageTag" | "imageDigest">): string {
    return release.imageDigest ? `${image}@${release.imageDigest}` : `${image}:${release.imageTag}`;
}

function chartFields(chart: ChartIdentity, version?: string): Pick<ReleaseRecord, "chart" | "chartVersion" | "chartSource" | "chartDigest"> {
    const v = version ?? chart.version;
    return { chart: chart.name, chartVersion: v, chartSource: chart.source, ...(chart.digest && v === chart.version ? { chartDigest: chart.digest } : {}) };
}

function isReleaseRecord(value: unknown): value is ReleaseRecord {
    const r = value as Partial<ReleaseRecord> | undefined;
    return typeof r === "object" && r !== null && typeof r.version === "string" && typeof r.imageTag === "string" && typeof r.chartVersion === "string";
}

/**
 * Resolves the release this stack runs and its record. `stackRef` returns the (shared)
 * StackReference for a stack name; the stack reads its own previous record through one too.
 * Gates, checked before anything changes: the upstream's environment, the same chart, the soak
 * time since the upstream deployed the release, freeze windows, and pins that skip the path.
 */
export function resolveRelease(cfg: StackConfig, stackRef: (name: string) => pulumi.StackReference): ResolvedRelease {
    const chart = chartIdentity(cfg.chart);
    const env = cfg.environment;
    const self = stackRef(`${pulumi.getOrganization()}/${cfg.project}/${cfg.stack.split("/").pop()}`);
    const previous = self.getOutput(PROMOTION_OUTPUT);
    const stackName = `stack "${cfg.stack}"`;

    const overridden = (gate: "soak" | "freeze") => cfg.override?.gates.includes(gate) === true;
    /**
     * A release is a tag or digest of one image repository: the upstream verified it there, so this
     * stack runs the same repository (an upstream that publishes no image output is not checked).
     */
    const checkRepository = (upImage: unknown, from: string, where: string) => {
        if (typeof upImage === "string" && upImage !== "" && imageRepository(upImage) !== cfg.app.image) {
            throw new pulumi.RunError(
                `${where}, which runs its releases from ${imageRepository(upImage)}, but this stack's ${cfg.project}:app.image is ${cfg.app.image}: ` +
                `a release is verified in one repository, so set ${cfg.project}:app.image to ${imageRepository(upImage)} (change it in ${from} first), ` +
                `or run another image only with ${cfg.project}:pin and emergency: true.`);
        }
    };
    /**
     * A change of release during a freeze is refused unless it is a rollback (to a release this
     * stack ran) or the stack carries an override of the freeze with its reason.
     */
    const checkFreeze = (prev: unknown, release: ReleaseRecord, source: ReleaseSource, pinReason: string) => {
        const w = activeFreeze(cfg.freeze, now());
        const p = isRecord(prev) ? prev : undefined;
        const changes = !p || identity(p.release, p.source, p.pinReason) !== identity(release, source, pinReason);
        if (w && changes && source !== "rollback" && !overridden("freeze")) {
            throw new pulumi.RunError(
                `${stackName} is frozen until ${w.to} (${cfg.project}:freeze: ${w.reason}); its release would change to ${release.version}. ` +
                `Wait for the window to end, roll back to a release the stack ran with ${cfg.project}:pin (version and reason), ` +
                `or override the freeze with ${cfg.project}:override ({ gates: [freeze], reason }).`);
        }
    };
    const build = (source: ReleaseSource | "pinned", release: pulumi.Input<ReleaseRecord>, upstreamStack = "", pinReason = "", upstreamRecord?: PromotionRecord["upstreamRecord"]) =>
        pulumi.all([pulumi.output(release), previous]).apply(([r, prev]) => {
            // A pin to a release this stack ran is a rollback; to one it never ran, a pin.
            const s: ReleaseSource = source === "pinned" ? (ranBefore(prev, r) ? "rollback" : "pin") : source;
            checkFreeze(prev, r, s, pinReason);
            return nextRecord(prev, {
                environment: env, source: s, upstreamStack, pinned: source === "pinned", pinReason, emergency: source === "pinned" && cfg.pin?.emergency === true,
                release: r, ...(upstreamRecord ? { upstreamRecord } : {}), ...(cfg.override ? { override: { gates: [...cfg.override.gates], reason: cfg.override.reason } } : {}),
            }, cfg.app.image, cfg.helm.wait);
        });

    if (cfg.pin) {
        const p = cfg.pin;
        const release: ReleaseRecord = {
            version: p.version, imageTag: p.imageTag, imageDigest: p.imageDigest ?? "", ...chartFields(chart, p.chartVersion),
        };
        if (env !== "production" || p.emergency || !cfg.promotion.from) {
            const record = build("pinned", release, cfg.promotion.from ?? "", p.reason);
            return { release: record.apply((r) => r.release), record, previous };
        }
        // In production a pin must name a release the upstream ran (now or in its history).
        const from = cfg.promotion.from;
        const upstream = stackRef(from);
        const checked = pulumi.all([upstream.getOutput(PROMOTION_OUTPUT), upstream.getOutput(IMAGE_OUTPUT)]).apply(([up, upImage]) => {
            checkRepository(upImage, from, `${stackName} pins ${p.version} (${cfg.project}:pin) from ${from}`);
            const ran = isRecord(up) ? [up.release.version, ...(up.history ?? []).map((h) => h.version)] : [];
            if (!ran.includes(p.version)) {
                throw new pulumi.RunError(
                    `${stackName} pins ${p.version} (${cfg.project}:pin), which ${from} has not run (it ran: ${ran.join(", ") || "nothing recorded"}). ` +
                    `Pin a release the upstream ran, or set ${cfg.project}:pin.emergency: true with the reason: an emergency pin is recorded and reported by the policy pack.`);
            }
            return release;
        });
        const record = build("pinned", checked, from, p.reason);
        return { release: record.apply((r) => r.release), record, previous };
    }
    if (env === "development") {
        const r = cfg.release!;
        const release: ReleaseRecord = {
            version: r.version, imageTag: r.imageTag, imageDigest: r.imageDigest ?? "", ...chartFields(chart, r.chartVersion),
        };
        const record = build("config", release);
        return { release: record.apply((x) => x.release), record, previous };
    }

    const from = cfg.promotion.from!;
    const expected = UPSTREAM[env]!;
    const upstream = stackRef(from);
    const where = `${stackName} promotes from ${from} (${cfg.project}:promotion.from)`;
    const upstreamRecordOut = upstream.getOutput(PROMOTION_OUTPUT);
    const release = pulumi.all([upstream.getOutput(ENVIRONMENT_OUTPUT), upstream.getOutput(RELEASE_OUTPUT), upstreamRecordOut, previous, upstream.getOutput(IMAGE_OUTPUT)]).apply(([upEnv, upRelease, upRecord, prev, upImage]) => {
        if (upEnv === undefined || upRelease === undefined) {
            const missing = upEnv === undefined ? ENVIRONMENT_OUTPUT : RELEASE_OUTPUT;
            throw new pulumi.RunError(
                `${where}, but that stack has no "${missing}" output. Deploy it first (pulumi up -s ${SHORT_NAMES[expected]}), ` +
                `or hold this stack on a known release with ${cfg.project}:pin (version and reason).`);
        }
        if (upEnv !== expected) {
            throw new pulumi.RunError(
                `${where}, which is a ${upEnv} stack; ${env} may only take releases from ${expected} (dev → staging → prod).`);
        }
        if (!isReleaseRecord(upRelease)) {
            throw new pulumi.RunError(`${where}, but its "${RELEASE_OUTPUT}" output is malformed`);
        }
        if (upRelease.chart !== chart.name) {
            throw new pulumi.RunError(
                `${where}, which runs chart ${upRelease.chart}, but this stack deploys chart ${chart.name} (${cfg.project}:chart); ` +
                `promote between stacks that run the same chart.`);
        }
        checkRepository(upImage, from, where);
        if (cfg.chart.kind === "path" && upRelease.chartVersion !== chart.version) {
            throw new pulumi.RunError(
                `${where}, which runs chart version ${upRelease.chartVersion}, but ${cfg.chart.path} here is ${chart.version}; ` +
                `deploy this commit to ${expected} first so both run the same chart.`);
        }
        const p = isRecord(prev) ? prev : undefined;
        const moving = !p || p.release.version !== upRelease.version || p.release.imageDigest !== upRelease.imageDigest || p.release.imageTag !== upRelease.imageTag;
        const soak = moving && !overridden("soak") ? soakProblem(isRecord(upRecord) ? upRecord : undefined, cfg.promotion.soakSeconds, now(), from) : undefined;
        if (soak) {
            throw new pulumi.RunError(`${where}: ${soak} (${cfg.project}:promotion.soak).`);
        }
        return upRelease;
    });
    const upstreamRecord = upstreamRecordOut.apply((u) => (isRecord(u) ? { version: u.release.version, promotedAt: u.promotedAt ?? "" } : undefined));
    const record = pulumi.all([release, upstreamRecord]).apply(([r, u]) => build("upstream", r, from, "", u));
    return { release: record.apply((x) => x.release), record, previous };
}

/**
 * Where a stack's release comes from: dev from config, staging from dev, prod from staging, or a
 * pin recorded with its reason. Every stack exports the resulting promotion record.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Environment, UPSTREAM, SHORT_NAMES } from "../../config/environment";
import * as crypto from "crypto";
import { ChartConfig, StackConfig } from "../../config/model";

/** Stack outputs a downstream stack reads. */
export const RELEASE_OUTPUT = "release";
export const ENVIRONMENT_OUTPUT = "environment";

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

export type ReleaseSource = "config" | "upstream" | "pin";

export interface PromotionRecord {
    readonly environment: Environment;
    readonly source: ReleaseSource;
    /** The stack releases come from (empty for development). */
    readonly upstreamStack: string;
    readonly pinned: boolean;
    readonly pinReason: string;
    readonly release: ReleaseRecord;
}

export interface ResolvedRelease {
    readonly release: pulumi.Output<ReleaseRecord>;
    readonly record: pulumi.Output<PromotionRecord>;
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

/** `sha256:` over a directory's files (paths and contents, sorted): the same chart gives the same digest anywhere. */
export function directoryDigest(dir: string): string {
    const h = crypto.createHash("sha256");
    const walk = (d: string, rel: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) {
                walk(path.join(d, e.name), r);
            } else if (e.isFile()) {
                h.update(`${r}\0`).update(fs.readFileSync(path.join(d, e.name))).update("\0");
            }
        }
    };
    walk(dir, "");
    return `sha256:${h.digest("hex")}`;
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
 * Resolves the release this stack runs. `stackRef` returns the (shared) StackReference for a
 * stack name, so a stack that also reuses its upstream's cluster reads that stack once.
 */
export function resolveRelease(cfg: StackConfig, stackRef: (name: string) => pulumi.StackReference): ResolvedRelease {
    const chart = chartIdentity(cfg.chart);
    const env = cfg.environment;
    const record = (source: ReleaseSource, release: pulumi.Input<ReleaseRecord>, upstreamStack = "", pinReason = "") =>
        pulumi.output(release).apply((r): PromotionRecord => ({ environment: env, source, upstreamStack, pinned: source === "pin", pinReason, release: r }));

    if (cfg.pin) {
        const p = cfg.pin;
        const release: ReleaseRecord = {
            version: p.version, imageTag: p.imageTag, imageDigest: p.imageDigest ?? "", ...chartFields(chart, p.chartVersion),
        };
        return { release: pulumi.output(release), record: record("pin", release, cfg.promotion.from ?? "", p.reason) };
    }
    if (env === "development") {
        const r = cfg.release!;
        const release: ReleaseRecord = {
            version: r.version, imageTag: r.imageTag, imageDigest: r.imageDigest ?? "", ...chartFields(chart, r.chartVersion),
        };
        return { release: pulumi.output(release), record: record("config", release) };
    }

    const from = cfg.promotion.from!;
    const expected = UPSTREAM[env]!;
    const upstream = stackRef(from);
    const where = `stack "${cfg.stack}" promotes from ${from} (${cfg.project}:promotion.from)`;
    const release = pulumi.all([upstream.getOutput(ENVIRONMENT_OUTPUT), upstream.getOutput(RELEASE_OUTPUT)]).apply(([upEnv, upRelease]) => {
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
            throw new pulumi.RunError(`${where}, but its "${RELEASE_OUTPUT}" output is malformed: ${JSON.stringify(upRelease)}`);
        }
        if (upRelease.chart !== chart.name) {
            throw new pulumi.RunError(
                `${where}, which runs chart ${upRelease.chart}, but this stack deploys chart ${chart.name} (${cfg.project}:chart); ` +
                `promote between stacks that run the same chart.`);
        }
        if (cfg.chart.kind === "path" && upRelease.chartVersion !== chart.version) {
            throw new pulumi.RunError(
                `${where}, which runs chart version ${upRelease.chartVersion}, but ${cfg.chart.path} here is ${chart.version}; ` +
                `deploy this commit to ${expected} first so both run the same chart.`);
        }
        return upRelease;
    });
    return { release, record: record("upstream", release, from) };
}

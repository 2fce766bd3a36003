/**
 * The values a stack gives its chart, composed in layers, each remembered by where it came from
 * so that a problem names the stack key or file to change:
 *   1. the typed `delivery:app.*` keys, on the bundled chart's value names (when `chart.appValues`);
 *   2. `delivery:valuesFiles`, in order;
 *   3. `delivery:values`;
 *   4. the promoted release, at `delivery:chart.imageValues` (promotion owns these paths).
 * Maps merge key by key; lists and scalars replace; `null` removes a key (as in Helm).
 */
import Ajv, { ErrorObject } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parseHelmYaml } from "./helm-yaml";
import { Environment } from "./environment";
import { AppConfig, ChartConfig, ImageValuePaths, ObservabilityConfig } from "./model";

export type Values = Record<string, unknown>;

export interface ValueLayer {
    /** Where these values come from: `delivery:values`, `delivery:valuesFiles[0] (values/prod.yaml)`. */
    readonly origin: string;
    readonly values: Values;
}

export interface Composed {
    readonly values: Values;
    /** Dotted path of every leaf → the layer that set it last. */
    readonly origins: ReadonlyMap<string, string>;
}

const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

function leaves(v: Values, prefix: string, out: string[]): string[] {
    for (const [k, x] of Object.entries(v)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (isMap(x) && Object.keys(x).length > 0) {
            leaves(x, p, out);
        } else {
            out.push(p);
        }
    }
    return out;
}

function mergeInto(target: Values, source: Values): Values {
    const out: Values = { ...target };
    for (const [k, v] of Object.entries(source)) {
        if (v === null) {
            delete out[k];
        } else if (isMap(v) && isMap(out[k])) {
            out[k] = mergeInto(out[k] as Values, v);
        } else {
            out[k] = isMap(v) ? mergeInto({}, v) : v;
        }
    }
    return out;
}

export function composeLayers(layers: readonly ValueLayer[]): Composed {
    let values: Values = {};
    const origins = new Map<string, string>();
    for (const layer of layers) {
        values = mergeInto(values, layer.values);
        for (const leaf of leaves(layer.values, "", [])) {
            for (const known of [...origins.keys()]) {
                if (known === leaf || known.startsWith(`${leaf}.`)) {
                    origins.delete(known);
                }
            }
            origins.set(leaf, layer.origin);
        }
    }
    return { values, origins };
}

/** The layer that set `dotted` (or the nearest enclosing or enclosed path). */
export function originOf(c: Composed, dotted: string): string | undefined {
    for (let p = dotted; p !== ""; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
        const o = c.origins.get(p);
        if (o) {
            return o;
        }
    }
    for (const [k, o] of c.origins) {
        if (k.startsWith(`${dotted}.`)) {
            return o;
        }
    }
    return undefined;
}

/** `{ a: { b: v } }` from `("a.b", v)`. */
export function atPath(dotted: string, value: unknown): Values {
    return dotted.split(".").reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Values;
}

export function readPath(v: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((acc, k) => (isMap(acc) ? acc[k] : undefined), v);
}

/** The bundled chart's values from the typed keys (`delivery:app.*`). */
export function appValues(app: AppConfig, environment: Environment): Values {
    return {
        environment,
        replicaCount: app.replicas,
        image: { repository: app.image, pullPolicy: "IfNotPresent" },
        containerPort: app.port,
        logLevel: app.logLevel,
        features: { ...app.features },
        env: { ...app.env },
        resources: {
            requests: { cpu: app.resources.requests.cpu, memory: app.resources.requests.memory },
            limits: { cpu: app.resources.limits.cpu, memory: app.resources.limits.memory },
        },
        autoscaling: {
            enabled: app.autoscaling.enabled,
            minReplicas: app.autoscaling.min,
            maxReplicas: app.autoscaling.max,
            targetCPUUtilizationPercentage: app.autoscaling.cpuTarget,
        },
        podDisruptionBudget: { enabled: app.pdb.enabled, minAvailable: app.pdb.minAvailable },
        topologySpread: { enabled: app.spreadAcrossZones },
        ingress: { enabled: app.ingress.enabled, className: app.ingress.className, host: app.ingress.host, tls: app.ingress.tls },
    };
}

export const RELEASE_ORIGIN = "the promoted release (delivery:chart.imageValues)";

/** The release's image at the chart's image paths. */
export function releaseValues(paths: ImageValuePaths, image: string, release: { imageTag: string; imageDigest?: string }): Values {
    let v: Values = {};
    if (paths.repository) {
        v = mergeInto(v, atPath(paths.repository, image));
    }
    if (paths.tag) {
        v = mergeInto(v, atPath(paths.tag, release.imageTag));
    }
    if (paths.digest && release.imageDigest) {
        v = mergeInto(v, atPath(paths.digest, release.imageDigest));
    }
    return v;
}

/**
 * The observability settings as chart values: under `observability.*` for the bundled chart (and
 * charts that use its names), and at the paths `delivery:observability.values` names for others.
 */
export function observabilityValues(o: ObservabilityConfig, app: AppConfig, bundledNames: boolean): Values {
    const ratio = o.tracing.samplePercent / 100;
    let v: Values = bundledNames ? {
        observability: {
            logFormat: o.logs.format,
            metrics: { enabled: o.metrics.enabled, path: o.metrics.path },
            tracing: { endpoint: o.tracing.endpoint ?? "", sampleRatio: ratio },
        },
    } : {};
    const at: [string | undefined, unknown][] = [
        [o.values.logLevel, app.logLevel], [o.values.logFormat, o.logs.format], [o.values.metricsEnabled, o.metrics.enabled],
        [o.values.tracingEndpoint, o.tracing.endpoint], [o.values.sampleRatio, ratio],
    ];
    for (const [p, value] of at) {
        if (p !== undefined && value !== undefined) {
            v = mergeInto(v, atPath(p, value));
        }
    }
    return v;
}

export interface StackValues {
    readonly chart: ChartConfig;
    readonly app: AppConfig;
    readonly environment: Environment;
    readonly files: readonly { readonly path: string; readonly values: Values }[];
    readonly inline: Values;
    /** Absent in callers that check values only (the observability layer is then left out). */
    readonly observability?: ObservabilityConfig;
}

/** Every layer of a stack's values, the release last. `extra` (program-owned values) goes before the release. */
export function stackLayers(s: StackValues, release: { imageTag: string; imageDigest?: string }, extra?: ValueLayer): ValueLayer[] {
    return [
        ...(s.chart.appValues ? [{ origin: "delivery:app", values: appValues(s.app, s.environment) }] : []),
        ...(s.observability ? [{ origin: "delivery:observability", values: observabilityValues(s.observability, s.app, s.chart.appValues) }] : []),
        ...s.files.map((f, i) => ({ origin: `delivery:valuesFiles[${i}] (${f.path})`, values: f.values })),
        { origin: "delivery:values", values: s.inline },
        ...(extra ? [extra] : []),
        { origin: RELEASE_ORIGIN, values: releaseValues(s.chart.imageValues, s.app.image, release) },
    ];
}

// Validation against the chart's values.schema.json -------------------------------------------

export interface ValuesProblem {
    /** Dotted path of the value (`connect.replicas`), "" for the top level. */
    readonly path: string;
    readonly problem: string;
    /** The layer that set it, or the chart's own defaults. */
    readonly origin: string;
    /** The schema itself could not be compiled (e.g. a remote $ref): nothing was checked. */
    readonly unusableSchema?: boolean;
}

/** A chart directory's values.yaml (its defaults) and values.schema.json, if any. */
export function readChartDir(dir: string): { defaults: Values; schema?: object } {
    const valuesFile = path.join(dir, "values.yaml");
    const schemaFile = path.join(dir, "values.schema.json");
    const defaults = fs.existsSync(valuesFile) ? (parseHelmYaml(fs.readFileSync(valuesFile, "utf8")) ?? {}) as Values : {};
    const schema = fs.existsSync(schemaFile) ? JSON.parse(fs.readFileSync(schemaFile, "utf8")) as object : undefined;
    return { defaults: isMap(defaults) ? defaults : {}, schema };
}

function describeError(e: ErrorObject): { path: string; problem: string } {
    const base = e.instancePath.split("/").filter(Boolean).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")).join(".");
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
        case "required":
            return { path: base ? `${base}.${String(p.missingProperty)}` : String(p.missingProperty), problem: "is required by the chart's values.schema.json but not set" };
        case "additionalProperties":
            return { path: base ? `${base}.${String(p.additionalProperty)}` : String(p.additionalProperty), problem: "is not a value this chart accepts (values.schema.json allows no such key)" };
        case "enum":
            return { path: base, problem: `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(", ")}` };
        default:
            // Ajv's messages name types, limits and patterns, never the value itself.
            return { path: base, problem: e.message ?? `fails ${e.keyword}` };
    }
}

/** Checks composed values (over the chart's defaults) against the chart's schema: every problem at once. */
export function validateAgainstSchema(schema: object, defaults: Values, composed: Composed, chartLabel: string): ValuesProblem[] {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    let validate;
    try {
        validate = ajv.compile(schema);
    } catch (e) {
        return [{ path: "", problem: `the chart's values.schema.json cannot be used (${String((e as Error).message).split("\n")[0]})`, origin: chartLabel, unusableSchema: true }];
    }
    const values = mergeInto(defaults, composed.values);
    if (validate(values)) {
        return [];
    }
    const seen = new Set<string>();
    const out: ValuesProblem[] = [];
    for (const e of validate.errors ?? []) {
        // `if`/`anyOf` wrappers repeat what their branches already say.
        if (e.keyword === "if" || e.keyword === "anyOf" || e.keyword === "oneOf") {
            continue;
        }
        const d = describeError(e);
        const key = `${d.path}|${d.problem}`;
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        out.push({ ...d, origin: originOf(composed, d.path) ?? `${chartLabel} defaults (values.yaml)` });
    }
    return out;
}

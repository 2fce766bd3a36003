/**
 * Turns a stack's raw configuration into a validated `StackConfig`, reporting every problem in
 * one `ConfigValidationError`. Pure: no Pulumi runtime, so tests and the offline plan call it
 * directly.
 */
import { Environment, RANK, SHORT_NAMES, UPSTREAM, environmentFromAlias, environmentFromStackName } from "./environment";
import {
    AppConfig, BudgetConfig, CLUSTER_PROVIDERS, ObservabilityConfig, ClusterConfig, ClusterProvider, HelmConfig, NamespaceConfig, PinConfig,
    FreezeWindow, GateOverride, OVERRIDABLE_GATES, OverridableGate, PromotionConfig, RolloutConfig, SmokeConfig, VerificationConfig, Release, ResourceAmounts, StackConfig, ValuesConfig,
} from "./model";
import { ConfigReader, ConfigValidationError, exampleText, show } from "./reader";
import { TSchema } from "@sinclair/typebox";
import { SecretsConfig, readSecrets, secretEnvVar } from "./secrets";
import { readChart, readInlineValues, readValuesFiles } from "./chart";
import { checkDns, readDns, readTls } from "./dns";
import { RELEASE_ORIGIN, StackValues, composeLayers, readChartDir, readPath, stackLayers, validateAgainstSchema } from "./values";
import * as path from "path";
import { quantity } from "../policy/lib/quantity";
import { secretShape } from "../policy/lib/secrets";
import {
    AppSchema, BudgetSchema, ChartSchema, ObservabilitySchema, ClusterSchema, DEFAULT_NODE_SIZE, FreezeSchema, HelmSchema, KNOWN_KEYS, NamespaceSchema, OverrideSchema, PATTERNS, PinSchema,
    PromotionSchema, PROVIDER_NAMESPACES, ENVIRONMENT_NAMES, ReleaseSchema, RolloutSchema, SECRET_KEYS, SmokeSchema, VerificationSchema, FeatureFlag, EnvValue,
} from "./schema";

/** Kubernetes minor version used when the stack does not set one. */
export const DEFAULT_KUBERNETES_VERSION = ClusterSchema.properties.version.default as string;
export { DEFAULT_NODE_SIZE };
export const DEFAULT_CHART_PATH = ChartSchema.properties.path.default as string;
export const DEFAULT_INGRESS_NAMESPACE = NamespaceSchema.properties.ingressNamespace.default as string;
export const DEFAULT_HELM_TIMEOUT_SECONDS = HelmSchema.properties.timeoutSeconds.default as number;
export { KNOWN_KEYS, SECRET_KEYS };

const RFC3339 = new RegExp(PATTERNS.rfc3339, "u");
/** An IPv4 CIDR whose octets are 0–255. */
const CIDR = new RegExp(PATTERNS.cidr, "u");
const C = ClusterSchema.properties;
const A = AppSchema.properties;
const N = NamespaceSchema.properties;

export interface RawStackConfig {
    readonly project: string;
    readonly stack: string;
    /** Top-level keys of the project namespace (without `delivery:`), values already JSON-parsed. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Keys (without namespace) whose values were given as Pulumi secrets. */
    readonly secretKeys: ReadonlySet<string>;
    /** The project directory (charts and values files are relative to it). @default the working directory */
    readonly root?: string;
    /** Full keys of the stack's other namespaces (`aws:region`); values are not needed. @default none */
    readonly foreignKeys?: readonly string[];
}

export function parseConfig(raw: RawStackConfig): StackConfig {
    const r = new ConfigReader(raw.project);
    const v = raw.values;
    r.unknownKeys("", v as Record<string, unknown>, KNOWN_KEYS);
    checkNamespaces(r, raw.foreignKeys ?? []);
    for (const key of SECRET_KEYS) {
        if (v[key] !== undefined && !raw.secretKeys.has(key)) {
            r.issue(key, "holds a plaintext value but must be a secret (its value is not shown)",
                `pulumi config set --secret ${raw.project}:${key} < file`);
        }
    }

    const before = r.issues.length;
    const environment = readEnvironment(r, raw.stack, v.environment);
    // An unknown environment is the root cause: what depends on it (release, promotion, pin) is not checked against a guess.
    const envKnown = r.issues.length === before;
    const short = SHORT_NAMES[environment];
    const app = readApp(r, v.app, environment);
    const cluster = readCluster(r, v.cluster, environment, short);
    const namespace = readNamespace(r, v.namespace, `${app.name}-${short}`);
    const root = raw.root ?? process.cwd();
    const chart = readChart(r, v.chart, root);
    const values: ValuesConfig = { files: readValuesFiles(r, v.valuesFiles, root), inline: readInlineValues(r, v.values) };
    const helm = readHelm(r, v.helm);
    const quiet = new ConfigReader(raw.project);
    const er = envKnown ? r : quiet;
    const release = readRelease(er, v.release, environment);
    const promotion = readPromotion(er, v.promotion, environment, raw.project);
    const pin = readPin(er, v.pin, environment);
    const freeze = readFreeze(r, v.freeze);
    const verification = readVerification(r, v.verification, app, helm);
    const rollout = readRollout(r, v.rollout, helm);
    const override = readOverride(r, v.override);
    const budget = readBudget(r, v.budget, cluster);
    const observability = readObservability(r, v.observability, environment);
    const secrets = readSecrets(r, v.secrets, environment, app.name, cluster.provider, cluster.oidcProviderArn !== undefined);
    const dns = readDns(r, v.dns, environment, cluster.provider);
    const tls = readTls(r, v.tls, environment, dns, app.ingress);
    checkDns(r, dns, tls, app.ingress.host, app.ingress.enabled, namespace.name);
    checkSecretControllers(r, secrets, namespace.name);
    checkConsistency(r, app, cluster, namespace, environment, short, raw.stack);
    checkValues(r, { chart, app, environment, observability, ...values }, release, root);
    const needsIbmKey = secrets.stores.some((s) => s.provider === "ibm" && s.auth === "apiKey" && s.apiKeySecret === undefined);
    if (needsIbmKey && v.ibmApiKey === undefined) {
        r.issue("ibmApiKey", "is required by an IBM store with apiKey auth and no apiKeySecret (set it as a secret)",
            `pulumi config set --secret ${raw.project}:ibmApiKey <key>`);
    }

    secrets.secrets.forEach((d, i) => {
        const name = secretEnvVar(d);
        if (name !== undefined && name in app.env) {
            r.issue(`app.env.${name}`, `is also loaded from secrets.secrets[${i}] (${d.name}): the container would get it twice and the last one silently wins`, "remove it from app.env");
        }
    });
    checkSecretValues(r, v, raw.secretKeys);

    if (r.issues.length > 0) {
        throw new ConfigValidationError(raw.stack, r.issues);
    }
    const text = (x: unknown) => (typeof x === "string" ? x : undefined);
    return {
        project: raw.project, stack: raw.stack, environment, cluster, app, namespace, chart, values, helm, release, promotion, pin, freeze, verification, rollout, override, secrets, budget, observability,
        ...(dns !== undefined ? { dns } : {}), ...(tls !== undefined ? { tls } : {}),
        kubeconfig: text(v.kubeconfig), ibmApiKey: text(v.ibmApiKey), vaultToken: text(v.vaultToken),
    };
}

/**
 * The chart's environment and values: what reaches the workloads is judged on the rendered objects
 * by the policy pack (workload-plaintext-secrets: mandatory in production, advisory elsewhere).
 */
const RENDERED = /^(app\.env|values)(\.|\[|$)/;

/**
 * Secrets never go in a stack file except under the secret keys (`pulumi config set --secret`):
 * a `secure:` value under any other key, and a value shaped like a credential (an AWS key, a
 * private key, a token, a password in a URL) in any setting of the program's own, are refused and
 * never shown. A key already reported is not reported again.
 */
function checkSecretValues(r: ConfigReader, values: Readonly<Record<string, unknown>>, secretKeys: ReadonlySet<string>): void {
    const store = "a store: delivery:secrets.secrets: [{ name, remoteKey, envVar }] (or a secret key set with pulumi config set --secret)";
    for (const key of secretKeys) {
        if (!(SECRET_KEYS as readonly string[]).includes(key)) {
            r.issues.push({
                key: `${r.namespace}:${key}`,
                problem: `holds a secret (secure:) value, but nothing under ${r.namespace}:${key} is a secret setting: it would reach the cluster and the outputs as plain configuration (not shown)`,
                example: `the value in ${store}; ${r.namespace}:${key} itself in plain text`,
                exampleIsText: true,
            });
        }
    }
    const walk = (key: string, value: unknown): void => {
        if (RENDERED.test(key)) {
            return;
        }
        if (Array.isArray(value)) {
            value.forEach((x, i) => walk(`${key}[${i}]`, x));
        } else if (value !== null && typeof value === "object") {
            for (const [k, x] of Object.entries(value)) {
                const shape = secretShape(k);
                if (shape !== undefined && !r.reported(`${key}.${k}`)) {
                    r.issues.push({ key: `${r.namespace}:${key}.[not shown]`, problem: `is a key that looks like ${shape}: secrets never go in a stack file`, example: `the secret in ${store}`, exampleIsText: true });
                } else {
                    walk(`${key}.${k}`, x);
                }
            }
        } else if (typeof value === "string" && !r.reported(key)) {
            const shape = secretShape(value);
            if (shape !== undefined) {
                r.issues.push({ key: `${r.namespace}:${key}`, problem: `looks like ${shape} (not shown): secrets never go in a stack file`, example: `the secret in ${store}`, exampleIsText: true });
            }
        }
    };
    for (const [key, value] of Object.entries(values)) {
        if (!(SECRET_KEYS as readonly string[]).includes(key) && !secretKeys.has(key)) {
            walk(key, value);
        }
    }
}

/** A key of a namespace nothing reads: a misspelt project namespace, or another project's key. */
function checkNamespaces(r: ConfigReader, foreignKeys: readonly string[]): void {
    for (const full of foreignKeys) {
        const ns = full.slice(0, full.indexOf(":"));
        if ((PROVIDER_NAMESPACES as readonly string[]).includes(ns)) {
            continue;
        }
        const name = full.slice(full.indexOf(":") + 1).split(".")[0];
        const ours = (KNOWN_KEYS as readonly string[]).includes(name);
        r.issues.push({
            key: full,
            problem: `is in the namespace ${ns}:, which nothing here reads (this program reads ${r.namespace}:* and its providers' ${PROVIDER_NAMESPACES.map((p) => `${p}:`).join(", ")})${ours ? `; ${name} is a ${r.namespace}: key` : ""}`,
            example: ours ? `${r.namespace}:${name} instead of ${full}` : "remove it",
            exampleIsText: true,
        });
    }
}

function readEnvironment(r: ConfigReader, stack: string, value: unknown): Environment {
    const example = "production";
    if (value !== undefined && value !== "") {
        // Written exactly as one of the names (the schema's enum): "PRODUCTION" or " prod " is a slip, not an alias.
        const env = typeof value === "string" && (ENVIRONMENT_NAMES as readonly string[]).includes(value) ? environmentFromAlias(value) : undefined;
        if (!env) {
            r.issue("environment", `must be development, staging or production (or dev, stage, prod); got ${show(value)}`, example);
            return "development";
        }
        const named = environmentFromStackName(stack);
        if (named !== undefined && RANK[env] < RANK[named]) {
            r.issue("environment", `is ${env}, but the stack "${stack}" is a ${named} stack by name: delivery:environment may never make a stack less strict than its name`,
                `${named} (or remove delivery:environment)`);
            return named;
        }
        return env;
    }
    const fromName = environmentFromStackName(stack);
    if (!fromName) {
        r.issue("environment", `is not set and the stack name "${stack}" does not name an environment (dev, staging, prod or their long forms)`, example);
        return "development";
    }
    return fromName;
}

type AmountsSchema = typeof AppSchema.properties.resources.properties.requests;

function amounts(r: ConfigReader, key: string, value: unknown, schema: AmountsSchema): ResourceAmounts {
    const o = r.object(key, value, schema);
    return {
        cpu: r.string(`${key}.cpu`, o.cpu, schema.properties.cpu),
        memory: r.string(`${key}.memory`, o.memory, schema.properties.memory),
    };
}

function readApp(r: ConfigReader, value: unknown, env: Environment): AppConfig {
    const o = r.object("app", value, AppSchema);
    const name = r.string("app.name", o.name, A.name);
    const image = r.string("app.image", o.image, A.image);
    const replicas = r.integer("app.replicas", o.replicas, A.replicas);
    const R = A.resources.properties;
    const res = r.object("app.resources", o.resources, A.resources);
    const requests = amounts(r, "app.resources.requests", res.requests, R.requests);
    const limits = amounts(r, "app.resources.limits", res.limits, R.limits);

    const S = A.autoscaling.properties;
    const as = r.object("app.autoscaling", o.autoscaling, A.autoscaling);
    const asEnabled = r.boolean("app.autoscaling.enabled", as.enabled, S.enabled);
    const asMin = r.integer("app.autoscaling.min", as.min, S.min, { default: replicas });
    const asMax = r.integer("app.autoscaling.max", as.max, S.max, { default: Math.max(asMin, replicas) });
    if (asMax < asMin) {
        r.issue("app.autoscaling.max", `must be at least app.autoscaling.min (${asMin}), got ${asMax}`, String(asMin * 2));
    }
    const cpuTarget = r.integer("app.autoscaling.cpuTarget", as.cpuTarget, S.cpuTarget);

    const pdbO = r.object("app.pdb", o.pdb, A.pdb);
    const minAvailable = r.integer("app.pdb.minAvailable", pdbO.minAvailable, A.pdb.properties.minAvailable);

    const I = A.ingress.properties;
    const ing = r.object("app.ingress", o.ingress, A.ingress);
    const host = r.string("app.ingress.host", ing.host, I.host, { optional: true }) ?? "";
    const ingress = {
        enabled: r.boolean("app.ingress.enabled", ing.enabled, I.enabled, { default: host !== "" }),
        host,
        className: r.string("app.ingress.className", ing.className, I.className),
        tls: r.boolean("app.ingress.tls", ing.tls, I.tls),
    };
    if (ingress.enabled && host === "") {
        r.issue("app.ingress.host", "is required when app.ingress.enabled is true", "shop.example.com");
    }

    return {
        name,
        image,
        port: r.integer("app.port", o.port, A.port),
        replicas,
        resources: { requests, limits },
        autoscaling: { enabled: asEnabled, min: asMin, max: asMax, cpuTarget },
        pdb: { enabled: minAvailable > 0, minAvailable },
        ingress,
        logLevel: r.string("app.logLevel", o.logLevel, A.logLevel) as AppConfig["logLevel"],
        features: r.map("app.features", o.features, A.features, (k, fv) => r.boolean(k, fv, FeatureFlag, { optional: false })),
        env: r.map("app.env", o.env, A.env, (k, ev) => r.string(k, ev, EnvValue, {
            optional: false, freeText: true,
            example: r.secretLooking(k, ev) ? "nothing here: load it from the secret store (delivery:secrets.secrets: [{ name, remoteKey, envVar }])" : `"a quoted value"`,
        })),
        spreadAcrossZones: r.boolean("app.spreadAcrossZones", o.spreadAcrossZones, A.spreadAcrossZones, { default: env === "production" }),
    };
}

function readCluster(r: ConfigReader, value: unknown, env: Environment, short: string): ClusterConfig {
    const o = r.object("cluster", value, ClusterSchema);
    const provider = r.string("cluster.provider", o.provider, C.provider) as ClusterProvider;
    const cloud = provider === "aws" || provider === "azure" || provider === "gcp";
    const P = C.nodes.properties;
    const nodes = r.object("cluster.nodes", o.nodes, C.nodes);
    const min = r.integer("cluster.nodes.min", nodes.min, P.min);
    const max = r.integer("cluster.nodes.max", nodes.max, P.max, { default: Math.max(min, 3) });
    if (max < min) {
        r.issue("cluster.nodes.max", `must be at least cluster.nodes.min (${min}), got ${max}`, String(min * 2));
    }
    const network = r.object("cluster.network", o.network, C.network);
    const endpoint = r.object("cluster.endpoint", o.endpoint, C.endpoint);
    const encryption = r.object("cluster.encryption", o.encryption, C.encryption);
    const regionExample = provider === "azure" ? "westeurope" : provider === "gcp" ? "europe-west1" : "eu-west-1";

    const cfg: ClusterConfig = {
        provider,
        name: r.string("cluster.name", o.name, C.name, { default: `delivery-${short}`, example: `delivery-${short}` }),
        region: r.string("cluster.region", o.region, C.region, cloud ? { optional: false, example: regionExample } : { optional: true }) ?? "",
        zones: r.stringList("cluster.zones", o.zones, C.zones, { example: provider === "azure" ? `["1", "2", "3"]` : undefined }),
        version: r.string("cluster.version", o.version, C.version),
        nodes: {
            min,
            max,
            size: r.string("cluster.nodes.size", nodes.size, P.size, { default: cloud ? DEFAULT_NODE_SIZE[provider] : "", example: cloud ? DEFAULT_NODE_SIZE[provider] : undefined }),
            diskGiB: r.integer("cluster.nodes.diskGiB", nodes.diskGiB, P.diskGiB),
        },
        networkCidr: r.string("cluster.network.cidr", network.cidr, C.network.properties.cidr),
        natPerZone: r.boolean("cluster.network.natPerZone", network.natPerZone, C.network.properties.natPerZone, { default: env === "production" }),
        adminArns: r.stringList("cluster.adminArns", o.adminArns, C.adminArns),
        privateEndpoint: r.boolean("cluster.endpoint.private", endpoint.private, C.endpoint.properties.private),
        allowedCidrs: r.stringList("cluster.endpoint.allowedCidrs", endpoint.allowedCidrs, C.endpoint.properties.allowedCidrs),
        kmsEncryption: r.boolean("cluster.encryption.kms", encryption.kms, C.encryption.properties.kms),
        kmsKeyId: r.string("cluster.encryption.keyId", encryption.keyId, C.encryption.properties.keyId, { optional: true }),
        logging: r.boolean("cluster.logging", o.logging, C.logging),
        autoUpgrade: r.boolean("cluster.autoUpgrade", o.autoUpgrade, C.autoUpgrade),
        protect: r.boolean("cluster.protect", o.protect, C.protect, { default: env === "production" }),
        project: r.string("cluster.project", o.project, C.project, { optional: provider !== "gcp" }),
        resourceGroup: r.string("cluster.resourceGroup", o.resourceGroup, C.resourceGroup, { optional: true }),
        context: r.string("cluster.context", o.context, C.context, { optional: true }),
        kubeconfigPath: r.string("cluster.kubeconfigPath", o.kubeconfigPath, C.kubeconfigPath, { optional: true }),
        oidcIssuer: r.string("cluster.oidcIssuer", o.oidcIssuer, C.oidcIssuer, { optional: true }),
        oidcProviderArn: r.string("cluster.oidcProviderArn", o.oidcProviderArn, C.oidcProviderArn, { optional: true }),
        stack: r.string("cluster.stack", o.stack, C.stack, { optional: provider !== "stack" }),
    };
    checkZones(r, cfg, provider);
    cfg.allowedCidrs.forEach((c, i) => {
        if (CIDR.test(c) && hasHostBits(c)) {
            r.issue(`cluster.endpoint.allowedCidrs[${i}]`, `${c} has host bits set: the range of a /${c.split("/")[1]} starts at its network address (a single address is a /32)`, "203.0.113.0/24");
        }
    });
    checkNetwork(r, cfg.networkCidr, cloud);
    if (cloud && cfg.zones.length === 0) {
        r.issue("cluster.zones", `must list at least one zone for ${provider}`, provider === "azure" ? `["1", "2", "3"]` : "[eu-west-1a, eu-west-1b]");
    }
    if (provider === "azure") {
        cfg.zones.forEach((z, i) => {
            if (!/^[1-3]$/.test(z)) {
                r.issue(`cluster.zones[${i}]`, `must be an Azure zone number 1, 2 or 3; got ${show(z)}`, `"1"`);
            }
        });
    }
    if (env === "production" && provider === "aws" && !cfg.natPerZone && cfg.zones.length > 1) {
        r.issue("cluster.network.natPerZone", "is false in production: one NAT gateway is a single point of failure for every zone's egress", "true");
    }
    if (cfg.privateEndpoint && cfg.allowedCidrs.length > 0) {
        r.issue("cluster.endpoint.allowedCidrs", "has no effect on a private endpoint; remove it or set cluster.endpoint.private to false", "[]");
    }
    return cfg;
}

/** Zones are listed once each and belong to the stack's region. */
function checkZones(r: ConfigReader, c: ClusterConfig, provider: ClusterProvider): void {
    // A zone listed twice is reported by the list's schema (uniqueItems).
    c.zones.forEach((z, i) => {
        if (c.region === "" || z === "") {
            return;
        }
        const inRegion = provider === "aws" ? new RegExp(`^${c.region}[a-z]$`).test(z) || new RegExp(`^${c.region}-[a-z]+-\\d[a-z]$`).test(z)
            : provider === "gcp" ? new RegExp(`^${c.region}-[a-z]$`).test(z) : true;
        if (!inRegion) {
            r.issue(`cluster.zones[${i}]`, `${show(z)} is not a zone of region ${c.region} (cluster.region)`,
                provider === "gcp" ? `${c.region}-b` : `${c.region}a`);
        }
    });
}

/** A CIDR whose address has bits set past its prefix (10.30.5.0/16): a slip for the network or for the prefix. */
function hasHostBits(cidr: string): boolean {
    const [addr, bits] = cidr.split("/");
    const prefix = Number(bits);
    const n = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    return (prefix === 0 ? n : n % 2 ** (32 - prefix)) !== 0;
}

/** The network is a network address and large enough for the subnets the program carves (16 equal parts). */
function checkNetwork(r: ConfigReader, cidr: string, cloud: boolean): void {
    if (!CIDR.test(cidr)) {
        return;
    }
    const prefix = Number(cidr.split("/")[1]);
    if (hasHostBits(cidr)) {
        r.issue("cluster.network.cidr", `${cidr} has host bits set: the network address of a /${prefix} ends in the prefix's boundary`, "10.20.0.0/16");
    }
    if (cloud && (prefix < 8 || prefix > 22)) {
        r.issue("cluster.network.cidr", `is a /${prefix}; the program splits the network into 16 subnets (/${prefix + 4} each), so it must be between a /8 and a /22`, "10.20.0.0/16");
    }
}

function readNamespace(r: ConfigReader, value: unknown, defaultName: string): NamespaceConfig {
    const o = r.object("namespace", value, NamespaceSchema);
    const Q = N.quota.properties;
    const L = N.limits.properties;
    const quota = r.object("namespace.quota", o.quota, N.quota);
    const limits = r.object("namespace.limits", o.limits, N.limits);
    return {
        name: r.string("namespace.name", o.name, N.name, { default: defaultName, example: defaultName }),
        podSecurity: r.string("namespace.podSecurity", o.podSecurity, N.podSecurity) as NamespaceConfig["podSecurity"],
        quota: {
            cpu: r.string("namespace.quota.cpu", quota.cpu, Q.cpu),
            memory: r.string("namespace.quota.memory", quota.memory, Q.memory),
            pods: r.integer("namespace.quota.pods", quota.pods, Q.pods),
        },
        limits: {
            defaultRequest: amounts(r, "namespace.limits.defaultRequest", limits.defaultRequest, L.defaultRequest),
            default: amounts(r, "namespace.limits.default", limits.default, L.default),
        },
        ingressNamespace: r.string("namespace.ingressNamespace", o.ingressNamespace, N.ingressNamespace),
    };
}

function readHelm(r: ConfigReader, value: unknown): HelmConfig {
    const o = r.object("helm", value, HelmSchema);
    if (o.atomic !== undefined) {
        r.issue("helm.atomic", "is no longer used: the chart is rendered and each object applied by Pulumi; a failed rollout fails the update and the previous release keeps serving (see README, the rendering model)",
            "remove helm.atomic");
    }
    return {
        wait: r.boolean("helm.wait", o.wait, HelmSchema.properties.wait),
        timeoutSeconds: r.integer("helm.timeoutSeconds", o.timeoutSeconds, HelmSchema.properties.timeoutSeconds),
    };
}

type ReleaseSection = typeof ReleaseSchema | typeof PinSchema;

function readReleaseFields(r: ConfigReader, key: string, o: Record<string, unknown>, schema: ReleaseSection): Release {
    const F = schema.properties;
    const version = r.string(`${key}.version`, o.version, F.version);
    const imageTag = r.string(`${key}.imageTag`, o.imageTag, F.imageTag, { default: version });
    return {
        version,
        imageTag,
        imageDigest: r.string(`${key}.imageDigest`, o.imageDigest, F.imageDigest, { optional: true }),
        chartVersion: r.string(`${key}.chartVersion`, o.chartVersion, F.chartVersion, { optional: true }),
    };
}

function readRelease(r: ConfigReader, value: unknown, env: Environment): Release | undefined {
    if (env !== "development") {
        if (value !== undefined) {
            r.issue("release", `is only set on development stacks; ${env} takes its release from ${UPSTREAM[env]} (to hold a version, use ${r.namespace}:pin)`,
                "{ version: \"1.8.2\", reason: \"INC-2291 rollback\" } under pin");
        }
        return undefined;
    }
    const o = r.object("release", value, ReleaseSchema);
    const rel = readReleaseFields(r, "release", o, ReleaseSchema);
    if (rel.imageTag === "latest") {
        r.issue("release.imageTag", "must not be latest: releases are pinned", `"1.8.3"`);
    }
    return rel;
}

function readPromotion(r: ConfigReader, value: unknown, env: Environment, project: string): PromotionConfig {
    const o = r.object("promotion", value, PromotionSchema);
    const soakSeconds = readDuration(r, "promotion.soak", o.soak, PromotionSchema.properties.soak);
    const upstream = UPSTREAM[env];
    if (!upstream) {
        if (o.from !== undefined) {
            r.issue("promotion.from", "is not allowed on a development stack: development takes its release from delivery:release", "remove promotion from the dev stack");
        }
        if (o.soak !== undefined) {
            r.issue("promotion.soak", "is not used on a development stack: it takes its release from delivery:release", "set promotion.soak on staging or prod");
        }
        return { soakSeconds: 0 };
    }
    const def = `organization/${project}/${SHORT_NAMES[upstream]}`;
    const from = r.string("promotion.from", o.from, PromotionSchema.properties.from, { default: def, example: def });
    const fromEnv = environmentFromStackName(from);
    if (fromEnv !== undefined && fromEnv !== upstream) {
        r.issue("promotion.from", `promotes ${env} from a ${fromEnv} stack (${from}); only ${upstream} → ${env} is allowed (dev → staging → prod)`, def);
    }
    return { from, soakSeconds };
}

/** A duration key (`90s`, `30m`, `2h`, `1d`, or a sum like `1h30m`) in seconds; absent is its schema default. */
function readDuration(r: ConfigReader, key: string, value: unknown, node: TSchema & { default?: string; "x-max"?: string }): number {
    const fallback = parseDuration(node.default) ?? 0;
    if (value === undefined || value === null) {
        return fallback;
    }
    if (typeof value === "string" && value.trim() === "") {
        r.issue(key, `is empty: give a duration, or remove the key for the default (${node.default})`, exampleText(node.examples?.[0]));
        return fallback;
    }
    const seconds = parseDuration(value);
    if (seconds === undefined) {
        r.issue(key, `${(node as { patternErrorMessage?: string }).patternErrorMessage}; got ${show(value)}`, exampleText(node.examples?.[0]));
        return fallback;
    }
    const max = parseDuration(node["x-max"]);
    if (max !== undefined && seconds > max) {
        r.issue(key, `must be at most ${node["x-max"]}; got ${show(value)}`, exampleText(node.examples?.[0]));
        return fallback;
    }
    return seconds;
}

/** `90s`, `30m`, `2h`, `1d`, `1h30m` in seconds; undefined when it is not such a duration. */
export function parseDuration(value: unknown): number | undefined {
    const text = typeof value === "string" ? value.trim() : "";
    const parts = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/.exec(text);
    if (!parts || text === "") {
        return undefined;
    }
    const unit: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
    return parts.slice(1).filter(Boolean).reduce((acc, p) => acc + Number(p!.slice(0, -1)) * unit[p!.slice(-1)], 0);
}

/**
 * An unquoted `2026-12-20T00:00:00Z` in a stack file is a YAML timestamp: the Pulumi CLI hands it
 * to the program in Go's layout (`2026-12-20 00:00:00 +0000 UTC`). Both mean the same instant.
 */
export function yamlTime(value: unknown): unknown {
    if (typeof value !== "string") {
        return value instanceof Date ? value.toISOString().replace(".000Z", "Z") : value;
    }
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-])(\d{2})(\d{2})(?: \S+)?$/.exec(value.trim());
    return m ? `${m[1]}T${m[2]}${m[4] === "00" && m[5] === "00" ? "Z" : `${m[3]}${m[4]}:${m[5]}`}` : value;
}

function readFreeze(r: ConfigReader, value: unknown): FreezeWindow[] {
    if (value === undefined || value === null) {
        return [];
    }
    const W = FreezeSchema.items;
    if (!Array.isArray(value)) {
        r.issue("freeze", `must be a list of windows, got ${show(value)}`, exampleText(FreezeSchema.examples[0]));
        return [];
    }
    return value.map((w, i) => {
        const key = `freeze[${i}]`;
        const o = r.object(key, w, W);
        const from = r.string(`${key}.from`, yamlTime(o.from), W.properties.from);
        const to = r.string(`${key}.to`, yamlTime(o.to), W.properties.to);
        const reason = r.string(`${key}.reason`, o.reason, W.properties.reason);
        const [start, end] = [instant(r, `${key}.from`, from), instant(r, `${key}.to`, to)];
        if (start !== undefined && end !== undefined && end <= start) {
            r.issue(`${key}.to`, `is not after ${key}.from (${from})`, `a time after ${from}`);
        }
        return { from, to, reason, start, end };
    }).map((w, i, all) => {
        // Windows that overlap are one freeze written twice (or a typo in one of them): merge them.
        const j = all.findIndex((o, k) => k < i && w.start !== undefined && w.end !== undefined && o.start !== undefined && o.end !== undefined && w.start < o.end && o.start < w.end && w.end > w.start && o.end > o.start);
        if (j >= 0) {
            r.issue(`freeze[${i}]`, `overlaps freeze[${j}] (${all[j].from} to ${all[j].to}): one window from the earlier start to the later end says the same`,
                `{ from: ${[all[j].from, w.from].sort()[0]}, to: ${[all[j].to, w.to].sort()[1]}, reason: … }`);
        }
        return { from: w.from, to: w.to, reason: w.reason };
    });
}

/** An RFC 3339 time that names a real instant (2026-02-30 and 25:00 do not); undefined (and an issue) otherwise. */
function instant(r: ConfigReader, key: string, text: string): number | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
    if (!RFC3339.test(text) || !m) {
        return undefined;
    }
    const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0));
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const t = Date.parse(text);
    if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || sec > 59 || Number.isNaN(t)) {
        r.issue(key, `is ${show(text)}, not a real date and time (month 1–12, a day the month has, hours 0–23, minutes and seconds 0–59)`, "2026-12-20T00:00:00Z");
        return undefined;
    }
    return t;
}

function readVerification(r: ConfigReader, value: unknown, app: AppConfig, helm: HelmConfig): VerificationConfig {
    const o = r.object("verification", value, VerificationSchema);
    if (o.smoke === undefined || o.smoke === null) {
        return {};
    }
    const M = SmokeSchema.properties;
    const s = r.object("verification.smoke", o.smoke, SmokeSchema);
    if (!r.boolean("verification.smoke.enabled", s.enabled, M.enabled)) {
        return {};
    }
    const image = r.string("verification.smoke.image", s.image, M.image);
    if (!helm.wait) {
        r.issue("verification.smoke", "needs helm.wait: true: a smoke check of a rollout nobody waited for would test the previous release's pods", "helm: { wait: true }");
    }
    const timeout = readDuration(r, "verification.smoke.timeout", s.timeout, M.timeout);
    if (s.timeout !== undefined && parseDuration(s.timeout) !== undefined && (timeout < 10 || timeout > 3600)) {
        r.issue("verification.smoke.timeout", `must be between 10s and 1h; got ${show(s.timeout)}`, exampleText(M.timeout.examples[0]));
    }
    const command = s.command === undefined ? undefined : r.stringList("verification.smoke.command", s.command, M.command);
    if (command !== undefined && command.length === 0) {
        r.issue("verification.smoke.command", "is empty: leave it out for the default curl check, or give the image's check", exampleText(M.command.examples[0]));
    }
    const smoke: SmokeConfig = {
        image,
        service: r.string("verification.smoke.service", s.service, M.service, { default: app.name, example: app.name }),
        port: r.integer("verification.smoke.port", s.port, M.port),
        path: r.string("verification.smoke.path", s.path, M.path),
        expectStatus: r.integer("verification.smoke.expectStatus", s.expectStatus, M.expectStatus),
        timeoutSeconds: timeout,
        ...(command !== undefined ? { command } : {}),
    };
    return { smoke };
}

function readOverride(r: ConfigReader, value: unknown): GateOverride | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const G = OverrideSchema.properties;
    const o = r.object("override", value, OverrideSchema);
    const gates = r.stringList("override.gates", o.gates, G.gates, { optional: false });
    const known = G.gates.items.enum as readonly string[];
    if (o.gates !== undefined && gates.length === 0) {
        r.issue("override.gates", "is empty: name the gates to override (soak, freeze), or remove override", exampleText(G.gates.examples[0]));
    }
    const issuesBefore = r.issues.length;
    const reason = r.string("override.reason", o.reason, G.reason);
    if (r.issues.length === issuesBefore) {
        checkReason(r, "override.reason", reason, G.reason.examples?.[0]);
    }
    return { gates: gates.filter((g): g is OverridableGate => known.includes(g)), reason };
}

/** A recorded reason says something: at least 10 characters besides spaces (padding is not a reason). */
const MIN_REASON_CHARACTERS = 10;

function checkReason(r: ConfigReader, key: string, reason: string | undefined, example: unknown): void {
    if (typeof reason === "string" && reason.replace(/\s+/g, "").length < MIN_REASON_CHARACTERS) {
        r.issue(key, `has fewer than ${MIN_REASON_CHARACTERS} characters besides spaces: name the incident or ticket and why`, typeof example === "string" ? `"${example}"` : "\"INC-2300: why\"");
    }
}

/** Retention of control-plane logs when the stack does not set it, per environment. */
export const DEFAULT_LOG_RETENTION_DAYS: Readonly<Record<Environment, number>> = { development: 7, staging: 30, production: 90 };

/** Longest a colour that lost traffic may stay up: past that, a forgotten colour is a second production to pay for. */
const MAX_KEEP_PREVIOUS_SECONDS = 7 * 86400;

function readRollout(r: ConfigReader, value: unknown, helm: HelmConfig): RolloutConfig {
    const R = RolloutSchema.properties;
    const o = r.object("rollout", value, RolloutSchema);
    const strategy = r.string("rollout.strategy", o.strategy, R.strategy) as RolloutConfig["strategy"];
    const active = r.string("rollout.active", o.active, R.active, { optional: true }) as RolloutConfig["active"];
    const keepPreviousSeconds = readDuration(r, "rollout.keepPrevious", o.keepPrevious, R.keepPrevious);
    if (strategy !== "blueGreen") {
        if (active !== undefined) {
            r.issue("rollout.active", "is only used with strategy: blueGreen (a rolling release has no colours)", "{ strategy: blueGreen, active: blue }");
        }
        if (o.keepPrevious !== undefined) {
            r.issue("rollout.keepPrevious", "is only used with strategy: blueGreen", "{ strategy: blueGreen, keepPrevious: 1h }");
        }
    } else if (!helm.wait) {
        r.issue("rollout.strategy", "blueGreen needs helm.wait: true: traffic switches only once the new colour is ready, and nothing would wait for it", "helm: { wait: true }");
    }
    if (keepPreviousSeconds > MAX_KEEP_PREVIOUS_SECONDS) {
        r.issue("rollout.keepPrevious", `must be at most 7d; got ${show(o.keepPrevious)}`, "1h");
    }
    return { strategy, ...(active !== undefined ? { active } : {}), keepPreviousSeconds };
}

function readObservability(r: ConfigReader, value: unknown, env: Environment): ObservabilityConfig {
    const O = ObservabilitySchema.properties;
    const o = r.object("observability", value, ObservabilitySchema);
    const logs = r.object("observability.logs", o.logs, O.logs);
    const metrics = r.object("observability.metrics", o.metrics, O.metrics);
    const tracing = r.object("observability.tracing", o.tracing, O.tracing);
    const paths = r.object("observability.values", o.values, O.values);
    const L = O.logs.properties;
    const M = O.metrics.properties;
    const T = O.tracing.properties;
    const endpoint = r.string("observability.tracing.endpoint", tracing.endpoint, T.endpoint, { optional: true });
    const valuePaths: Record<string, string> = {};
    for (const k of Object.keys(O.values.properties) as (keyof typeof O.values.properties)[]) {
        const p = r.string(`observability.values.${k}`, paths[k], O.values.properties[k], { optional: true });
        if (p !== undefined) {
            valuePaths[k] = p;
        }
    }
    return {
        logs: {
            format: r.string("observability.logs.format", logs.format, L.format) as ObservabilityConfig["logs"]["format"],
            retentionDays: r.integer("observability.logs.retentionDays", logs.retentionDays, L.retentionDays, { default: DEFAULT_LOG_RETENTION_DAYS[env] }),
        },
        metrics: {
            enabled: r.boolean("observability.metrics.enabled", metrics.enabled, M.enabled),
            path: r.string("observability.metrics.path", metrics.path, M.path),
            serviceMonitor: r.boolean("observability.metrics.serviceMonitor", metrics.serviceMonitor, M.serviceMonitor),
            interval: r.string("observability.metrics.interval", metrics.interval, M.interval),
        },
        tracing: {
            ...(endpoint !== undefined ? { endpoint } : {}),
            samplePercent: r.integer("observability.tracing.samplePercent", tracing.samplePercent, T.samplePercent, { default: env === "development" ? 100 : 10 }),
        },
        values: valuePaths,
    };
}

function readBudget(r: ConfigReader, value: unknown, cluster: ClusterConfig): BudgetConfig | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const B = BudgetSchema.properties;
    const o = r.object("budget", value, BudgetSchema);
    const thresholds = (o.thresholds === undefined ? [...(B.thresholds.default as number[])] : Array.isArray(o.thresholds)
        ? o.thresholds.map((t, i) => r.integer(`budget.thresholds[${i}]`, t, B.thresholds.items))
        : (r.issue("budget.thresholds", `must be a list, got ${show(o.thresholds)}`, exampleText(B.thresholds.examples[0])), []));
    if (Array.isArray(o.thresholds)) {
        r.repeats("budget.thresholds", thresholds, B.thresholds["x-unique"]);
    }
    if (Array.isArray(o.thresholds) && thresholds.length === 0) {
        r.issue("budget.thresholds", "is empty: give at least one threshold, or leave it out for 80 and 100", exampleText(B.thresholds.examples[0]));
    }
    const recipients = r.stringList("budget.recipients", o.recipients, B.recipients, { optional: false });
    if (o.recipients !== undefined && recipients.length === 0) {
        r.issue("budget.recipients", "is empty: a budget nobody hears about does not help", exampleText(B.recipients.examples[0]));
    } else if (o.recipients === undefined) {
        r.issue("budget.recipients", "is required but not set", exampleText(B.recipients.examples[0]));
    }
    const billingAccount = r.string("budget.billingAccount", o.billingAccount, B.billingAccount, { optional: cluster.provider !== "gcp" });
    return {
        monthlyUsd: r.integer("budget.monthlyUsd", o.monthlyUsd, B.monthlyUsd),
        thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
        recipients,
        ...(billingAccount !== undefined ? { billingAccount } : {}),
    };
}

function readPin(r: ConfigReader, value: unknown, env: Environment): PinConfig | undefined {
    if (value === undefined) {
        return undefined;
    }
    const o = r.object("pin", value, PinSchema);
    if (env === "development") {
        r.issue("pin", "is not used on development stacks: set delivery:release.version to the version to run", "remove pin; set release.version");
    }
    const rel = readReleaseFields(r, "pin", o, PinSchema);
    const reasonIssues = r.issues.length;
    const reason = r.string("pin.reason", o.reason, PinSchema.properties.reason);
    if (r.issues.length === reasonIssues) {
        checkReason(r, "pin.reason", reason, PinSchema.properties.reason.examples?.[0]);
    }
    const emergency = r.boolean("pin.emergency", o.emergency, PinSchema.properties.emergency);
    return { ...rel, reason, emergency };
}

function checkLimits(r: ConfigReader, key: string, requests: ResourceAmounts, limits: ResourceAmounts, requestsKey: string): void {
    for (const kind of ["cpu", "memory"] as const) {
        const req = quantity(requests[kind], kind);
        const lim = quantity(limits[kind], kind);
        if (req !== undefined && lim !== undefined && lim < req && !r.reported(`${key}.${kind}`) && !r.reported(`${requestsKey}.${kind}`)) {
            r.issue(`${key}.${kind}`, `is ${limits[kind]}, below ${requestsKey}.${kind} (${requests[kind]}): Kubernetes refuses a limit under the request`, `"${requests[kind]}" or more`);
        }
    }
}

/** Namespaces that belong to the cluster or its platform, never to an application. */
export const RESERVED_NAMESPACES = [
    "default", "kube-system", "kube-public", "kube-node-lease", "external-secrets", "sealed-secrets", "ingress-nginx", "cert-manager",
    "external-dns", "monitoring", "gatekeeper-system", "kyverno", "istio-system", "linkerd", "flux-system", "argocd",
];

function checkConsistency(r: ConfigReader, app: AppConfig, cluster: ClusterConfig, ns: NamespaceConfig, env: Environment, short: string, stackName: string): void {
    checkLimits(r, "app.resources.limits", app.resources.requests, app.resources.limits, "app.resources.requests");
    checkLimits(r, "namespace.limits.default", ns.limits.defaultRequest, ns.limits.default, "namespace.limits.defaultRequest");
    if (RESERVED_NAMESPACES.includes(ns.name) || ns.name.startsWith("kube-")) {
        r.issue("namespace.name", `is ${show(ns.name)}, a namespace of the cluster or its platform: the app gets a namespace of its own (its quota, default-deny and Pod Security would otherwise land on the platform)`,
            `${app.name}-${short}`);
    } else {
        const other = (Object.entries(SHORT_NAMES) as [Environment, string][]).find(([e, s]) => e !== env && (ns.name.endsWith(`-${s}`) || ns.name.endsWith(`-${e}`)));
        if (other) {
            r.issue("namespace.name", `is ${show(ns.name)}, the ${other[0]} namespace's name, on a ${env} stack`, `${app.name}-${short}`);
        }
    }
    checkIngressNamespace(r, ns, env);
    if (cluster.provider === "stack" && cluster.stack !== undefined && cluster.stack.split("/").pop() === stackName.split("/").pop()) {
        r.issue("cluster.stack", `is ${cluster.stack}, this stack itself: a stack cannot borrow its own cluster`, "aws (a cluster of its own)");
    } else if (cluster.provider === "stack" && cluster.stack !== undefined) {
        const owner = environmentFromStackName(cluster.stack);
        if (env === "production" && owner !== "production") {
            r.issue("cluster.stack", `is ${cluster.stack}, ${owner ? `a ${owner} stack` : "a stack whose name names no environment"}: production runs only on a production cluster (its own, or another production stack's)`,
                "aws (a cluster of its own), or organization/delivery/prod-platform");
        }
    }
    if (app.pdb.enabled && !app.autoscaling.enabled && app.pdb.minAvailable >= app.replicas) {
        r.issue("app.pdb.minAvailable", `is ${app.pdb.minAvailable} but app.replicas is ${app.replicas}: node drains could never evict a pod`, String(Math.max(app.replicas - 1, 0)));
    }
    if (app.pdb.enabled && app.autoscaling.enabled && app.pdb.minAvailable >= app.autoscaling.min) {
        r.issue("app.pdb.minAvailable", `is ${app.pdb.minAvailable} but app.autoscaling.min is ${app.autoscaling.min}: node drains could never evict a pod`, String(Math.max(app.autoscaling.min - 1, 0)));
    }
    const maxPods = app.autoscaling.enabled ? app.autoscaling.max : app.replicas;
    if (maxPods > ns.quota.pods) {
        r.issue("namespace.quota.pods", `is ${ns.quota.pods} but the app may run ${maxPods} pods`, String(maxPods * 2));
    }
    if (cluster.provider === "stack" && cluster.stack === undefined) {
        r.issue("cluster.stack", "is required when cluster.provider is stack", "organization/delivery/dev");
    }
}

/**
 * The External Secrets Operator (which may read and write every Secret of the cluster) and the
 * Sealed Secrets controller (whose key decrypts every sealed secret) run apart from the app: in its
 * namespace, anything that may run a pod there could mount their credentials.
 */
function checkSecretControllers(r: ConfigReader, secrets: SecretsConfig, appNamespace: string): void {
    const controllers: [string, boolean, string, string][] = [
        ["secrets.operator.namespace", secrets.operator.install, secrets.operator.namespace, "external-secrets"],
        ["secrets.sealedSecrets.namespace", secrets.sealedSecrets.enabled, secrets.sealedSecrets.namespace, "kube-system"],
    ];
    for (const [key, installed, ns, example] of controllers) {
        if (installed && ns === appNamespace) {
            r.issue(key, `is ${ns}, the app's namespace: the controller's credentials to every Secret would sit beside the app; it gets a namespace of its own`, example);
        }
    }
}

/** Namespaces whose controllers may reach the app: an ingress controller's, never the cluster's own or another environment's. */
const INGRESS_CONTROLLER_NAMESPACES = ["ingress-nginx", "istio-system"];

function checkIngressNamespace(r: ConfigReader, ns: NamespaceConfig, env: Environment): void {
    const from = ns.ingressNamespace;
    const example = DEFAULT_INGRESS_NAMESPACE;
    if ((RESERVED_NAMESPACES.includes(from) && !INGRESS_CONTROLLER_NAMESPACES.includes(from)) || from.startsWith("kube-")) {
        r.issue("namespace.ingressNamespace", `is ${show(from)}, a namespace of the cluster or its platform: every pod there could reach the app past its default-deny NetworkPolicy`, example);
        return;
    }
    const words = from.toLowerCase().split(/[^a-z0-9]+/);
    const other = (Object.entries(SHORT_NAMES) as [Environment, string][]).find(([e, s]) => e !== env && (words.includes(s) || words.includes(e)));
    if (other) {
        r.issue("namespace.ingressNamespace", `is ${show(from)}, a ${other[0]} namespace: its pods could reach this ${env} app past its default-deny NetworkPolicy`, example);
    }
}

/**
 * Values problems found before anything is created: a path promotion owns set by hand, and the
 * merged values against a chart directory's values.schema.json (each naming the layer that set it).
 */
function checkValues(r: ConfigReader, s: StackValues, release: Release | undefined, root: string): void {
    const owned = Object.entries(s.chart.imageValues).filter((e): e is [string, string] => e[1] !== undefined);
    const layers = [...s.files.map((f, i) => ({ key: `valuesFiles[${i}]`, label: f.path, values: f.values })), { key: "values", label: "", values: s.inline }];
    for (const [what, dotted] of owned) {
        for (const l of layers) {
            if (readPath(l.values, dotted) !== undefined) {
                r.issue(l.key, `sets ${dotted}${l.label ? ` (in ${l.label})` : ""}, where promotion puts the release's image ${what} (delivery:chart.imageValues.${what}); the release decides it`,
                    what === "repository" ? "set delivery:app.image instead" : "remove it; set delivery:release (dev) or delivery:pin");
            }
        }
    }
    if (s.chart.appValues) {
        // The bundled chart sets these itself; a second definition would silently win over it.
        const owned: Record<string, string> = {
            LOG_LEVEL: "delivery:app.logLevel", APP_ENVIRONMENT: "the stack's environment (delivery:environment)", LOG_FORMAT: "delivery:observability.logs.format",
        };
        for (const name of Object.keys(s.app.env)) {
            const by = owned[name] ?? (name.startsWith("FEATURE_") ? "delivery:app.features" : name.startsWith("OTEL_") ? "delivery:observability.tracing" : undefined);
            if (by) {
                r.issue(`app.env.${name}`, `overrides a variable the chart sets from ${by}; the container would get it twice and the last one silently wins`,
                    name === "LOG_LEVEL" ? "delivery:app.logLevel: debug" : name.startsWith("FEATURE_") ? "delivery:app.features: { newCheckout: true }" : "remove it");
            }
        }
    }
    if (s.chart.kind !== "path" || r.issues.length > 0) {
        return;
    }
    const dir = path.join(root, s.chart.path);
    let chartDir: ReturnType<typeof readChartDir>;
    try {
        chartDir = readChartDir(dir);
    } catch (e) {
        r.issue("chart.path", `${s.chart.path}: values.yaml or values.schema.json does not parse (${String((e as Error).message).split("\n")[0]})`, "charts/app");
        return;
    }
    if (!chartDir.schema) {
        return;
    }
    // The release is only known once promotion resolves; its image values are strings of the shape below.
    // A schema the program cannot compile (a remote $ref, which Helm fetches) is left to Helm, which
    // checks it when rendering, as for a repository chart.
    for (const issue of chartSchemaIssues(chartDir, s, release ?? { imageTag: "0.0.0", imageDigest: undefined }, `${s.chart.path}/values.schema.json`, { skipUnusableSchema: true })) {
        r.issues.push({ ...issue, key: `${r.namespace}:${issue.key}` });
    }
}

/**
 * The stack's values, composed as the program composes them, against a chart's
 * values.schema.json: each problem named by the stack key (or values file) that set the value, in
 * the same format as every other configuration problem. Keys are without the namespace. Used for
 * chart directories at start-up, and for repository and OCI charts once pulled (the offline plan).
 */
export function chartSchemaIssues(
    chartDir: { readonly schema?: object; readonly defaults: Record<string, unknown> }, s: StackValues, release: { imageTag: string; imageDigest?: string }, schemaFile: string,
    opts: { readonly skipUnusableSchema?: boolean } = {},
): { key: string; problem: string; example: string }[] {
    if (!chartDir.schema) {
        return [];
    }
    const composed = composeLayers(stackLayers(s, release));
    const problems = validateAgainstSchema(chartDir.schema, chartDir.defaults, composed, s.chart.kind === "path" ? s.chart.path : schemaFile);
    return problems.filter((p) => !(opts.skipUnusableSchema && p.unusableSchema)).map((p) => {
        const file = /^delivery:(valuesFiles\[\d+\]) \((.*)\)$/.exec(p.origin);
        const key = file ? `${file[1]} → ${p.path || "(top level)"}`
            : p.origin === "delivery:values" ? `values${p.path ? `.${p.path}` : ""}`
            : p.origin === "delivery:app" ? `app (chart value ${p.path})`
            : p.origin === "delivery:observability" ? `observability (chart value ${p.path})`
            : p.origin === RELEASE_ORIGIN ? `chart.imageValues (chart value ${p.path})`
            : `values${p.path ? `.${p.path}` : ""}`;
        const where = file ? `set in ${file[2]}; ` : p.origin.startsWith("delivery:") || p.origin === RELEASE_ORIGIN ? "" : `set by ${p.origin}; `;
        return { key, problem: `${p.problem} (${where}checked against ${schemaFile})`, example: `a value ${schemaFile} accepts at ${p.path || "the top level"}` };
    });
}


/**
 * Turns a stack's raw configuration into a validated `StackConfig`, reporting every problem in
 * one `ConfigValidationError`. Pure: no Pulumi runtime, so tests and the offline plan call it
 * directly.
 */
import { Environment, RANK, SHORT_NAMES, UPSTREAM, environmentFromAlias, environmentFromStackName } from "./environment";
import {
    AppConfig, CLUSTER_PROVIDERS, ClusterConfig, ClusterProvider, HelmConfig, NamespaceConfig, PinConfig,
    FreezeWindow, GateOverride, OVERRIDABLE_GATES, OverridableGate, PromotionConfig, SmokeConfig, VerificationConfig, Release, ResourceAmounts, StackConfig, ValuesConfig,
} from "./model";
import { ConfigReader, ConfigValidationError, show } from "./reader";
import { readSecrets } from "./secrets";
import { readChart, readInlineValues, readValuesFiles } from "./chart";
import { RELEASE_ORIGIN, StackValues, composeLayers, readChartDir, readPath, stackLayers, validateAgainstSchema } from "./values";
import * as path from "path";
import { quantity } from "../policy/lib/quantity";

/** Kubernetes minor version used when the stack does not set one. */
export const DEFAULT_KUBERNETES_VERSION = "1.31";
/** Node sizes per cloud: general-purpose, 2–4 vCPU. */
export const DEFAULT_NODE_SIZE: Readonly<Record<"aws" | "azure" | "gcp", string>> = {
    aws: "m6i.large",
    azure: "Standard_D4s_v5",
    gcp: "e2-standard-4",
};
export const DEFAULT_CHART_PATH = "charts/app";
export const DEFAULT_INGRESS_NAMESPACE = "ingress-nginx";
export const DEFAULT_HELM_TIMEOUT_SECONDS = 600;
/** Keys of the project namespace this program reads; anything else is a typo. */
export const KNOWN_KEYS = [
    "environment", "cluster", "app", "namespace", "chart", "values", "valuesFiles", "helm", "release", "promotion", "pin", "freeze", "verification", "override", "secrets",
    "kubeconfig", "ibmApiKey", "vaultToken",
] as const;
/** Keys whose value must be a Pulumi secret (`pulumi config set --secret`). */
export const SECRET_KEYS = ["kubeconfig", "ibmApiKey", "vaultToken"] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_REPO = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** An IPv4 CIDR whose octets are 0–255. */
const CIDR = new RegExp(`^(${OCTET}\\.){3}${OCTET}\\/(\\d|[12]\\d|3[0-2])$`);
const K8S_VERSION = /^1\.\d{2}$/;
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const HOSTNAME = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;
const STACK_REF = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
const POD_SECURITY = ["privileged", "baseline", "restricted"] as const;

export interface RawStackConfig {
    readonly project: string;
    readonly stack: string;
    /** Top-level keys of the project namespace (without `delivery:`), values already JSON-parsed. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Keys (without namespace) whose values were given as Pulumi secrets. */
    readonly secretKeys: ReadonlySet<string>;
    /** The project directory (charts and values files are relative to it). @default the working directory */
    readonly root?: string;
}

export function parseConfig(raw: RawStackConfig): StackConfig {
    const r = new ConfigReader(raw.project);
    const v = raw.values;
    r.unknownKeys("", v as Record<string, unknown>, KNOWN_KEYS);
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
    const override = readOverride(r, v.override);
    const secrets = readSecrets(r, v.secrets, environment, app.name, cluster.provider, cluster.oidcProviderArn !== undefined);
    checkConsistency(r, app, cluster, namespace, environment, short, raw.stack);
    checkValues(r, { chart, app, environment, ...values }, release, root);
    const needsIbmKey = secrets.stores.some((s) => s.provider === "ibm" && s.auth === "apiKey" && s.apiKeySecret === undefined);
    if (needsIbmKey && v.ibmApiKey === undefined) {
        r.issue("ibmApiKey", "is required by an IBM store with apiKey auth and no apiKeySecret (set it as a secret)",
            `pulumi config set --secret ${raw.project}:ibmApiKey <key>`);
    }

    if (r.issues.length > 0) {
        throw new ConfigValidationError(raw.stack, r.issues);
    }
    const text = (x: unknown) => (typeof x === "string" ? x : undefined);
    return {
        project: raw.project, stack: raw.stack, environment, cluster, app, namespace, chart, values, helm, release, promotion, pin, freeze, verification, override, secrets,
        kubeconfig: text(v.kubeconfig), ibmApiKey: text(v.ibmApiKey), vaultToken: text(v.vaultToken),
    };
}

function readEnvironment(r: ConfigReader, stack: string, value: unknown): Environment {
    const example = "production";
    if (value !== undefined && value !== "") {
        const env = typeof value === "string" ? environmentFromAlias(value) : undefined;
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

function amounts(r: ConfigReader, key: string, value: unknown, def: ResourceAmounts): ResourceAmounts {
    const o = r.object(key, value, `{ cpu: "250m", memory: "256Mi" }`);
    r.unknownKeys(key, o, ["cpu", "memory"]);
    return {
        cpu: r.string(`${key}.cpu`, o.cpu, { default: def.cpu, pattern: CPU, what: "a CPU quantity such as 250m or 2", example: `"250m"` }),
        memory: r.string(`${key}.memory`, o.memory, { default: def.memory, pattern: MEMORY, what: "a memory quantity such as 256Mi", example: `"256Mi"` }),
    };
}

function readApp(r: ConfigReader, value: unknown, env: Environment): AppConfig {
    const o = r.object("app", value, "{ name: storefront, image: ghcr.io/acme/storefront }");
    r.unknownKeys("app", o, ["name", "image", "port", "replicas", "resources", "autoscaling", "pdb", "ingress", "logLevel", "features", "env", "spreadAcrossZones"]);
    const name = r.string("app.name", o.name, { pattern: DNS_LABEL, what: "a DNS label (lower-case letters, digits, dashes)", example: "storefront" });
    const image = r.string("app.image", o.image, {
        pattern: IMAGE_REPO, what: "an image repository without tag or digest (the release sets those)", example: "ghcr.io/acme/storefront",
    });
    const replicas = r.integer("app.replicas", o.replicas, { min: 1, max: 100, example: "3" });
    const res = r.object("app.resources", o.resources, "{ requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }");
    r.unknownKeys("app.resources", res, ["requests", "limits"]);
    const requests = amounts(r, "app.resources.requests", res.requests, { cpu: "100m", memory: "128Mi" });
    const limits = amounts(r, "app.resources.limits", res.limits, { cpu: "500m", memory: "256Mi" });

    const as = r.object("app.autoscaling", o.autoscaling, "{ enabled: true, min: 3, max: 10, cpuTarget: 70 }");
    r.unknownKeys("app.autoscaling", as, ["enabled", "min", "max", "cpuTarget"]);
    const asEnabled = r.boolean("app.autoscaling.enabled", as.enabled, { default: false, example: "true" });
    const asMin = r.integer("app.autoscaling.min", as.min, { default: replicas, min: 1, max: 100, example: "3" });
    const asMax = r.integer("app.autoscaling.max", as.max, { default: Math.max(asMin, replicas), min: 1, max: 500, example: "10" });
    if (asMax < asMin) {
        r.issue("app.autoscaling.max", `must be at least app.autoscaling.min (${asMin}), got ${asMax}`, String(asMin * 2));
    }
    const cpuTarget = r.integer("app.autoscaling.cpuTarget", as.cpuTarget, { default: 70, min: 10, max: 95, example: "70" });

    const pdbO = r.object("app.pdb", o.pdb, "{ minAvailable: 2 }");
    r.unknownKeys("app.pdb", pdbO, ["minAvailable"]);
    const minAvailable = r.integer("app.pdb.minAvailable", pdbO.minAvailable, { default: 0, min: 0, max: 100, example: "2" });

    const ing = r.object("app.ingress", o.ingress, "{ host: shop.example.com }");
    r.unknownKeys("app.ingress", ing, ["enabled", "host", "className", "tls"]);
    const host = r.string("app.ingress.host", ing.host, { optional: true, pattern: HOSTNAME, what: "a DNS host name", example: "shop.example.com" }) ?? "";
    const ingress = {
        enabled: r.boolean("app.ingress.enabled", ing.enabled, { default: host !== "", example: "true" }),
        host,
        className: r.string("app.ingress.className", ing.className, { default: "nginx", pattern: DNS_LABEL, what: "an IngressClass name", example: "nginx" }),
        tls: r.boolean("app.ingress.tls", ing.tls, { default: true, example: "true" }),
    };
    if (ingress.enabled && host === "") {
        r.issue("app.ingress.host", "is required when app.ingress.enabled is true", "shop.example.com");
    }

    return {
        name,
        image,
        port: r.integer("app.port", o.port, { default: 8080, min: 1, max: 65535, example: "8080" }),
        replicas,
        resources: { requests, limits },
        autoscaling: { enabled: asEnabled, min: asMin, max: asMax, cpuTarget },
        pdb: { enabled: minAvailable > 0, minAvailable },
        ingress,
        logLevel: r.string("app.logLevel", o.logLevel, { default: "info", oneOf: LOG_LEVELS, example: "info" }),
        features: r.map("app.features", o.features, "{ newCheckout: true }", (k, fv) => r.boolean(k, fv, { example: "true" })),
        env: r.map("app.env", o.env, "{ REGION: eu-west-1 }", (k, ev) => r.string(k, ev, {
            example: r.secretLooking(k, ev) ? "nothing here: load it from the secret store (delivery:secrets.secrets: [{ name, remoteKey, envVar }])" : `"a quoted value"`,
        })),
        spreadAcrossZones: r.boolean("app.spreadAcrossZones", o.spreadAcrossZones, { default: env === "production", example: "true" }),
    };
}

function readCluster(r: ConfigReader, value: unknown, env: Environment, short: string): ClusterConfig {
    const o = r.object("cluster", value, "{ provider: aws, region: eu-west-1 }");
    r.unknownKeys("cluster", o, [
        "provider", "name", "region", "zones", "version", "nodes", "network", "endpoint", "encryption", "logging", "autoUpgrade",
        "protect", "project", "resourceGroup", "context", "kubeconfigPath", "oidcIssuer", "oidcProviderArn", "stack", "adminArns",
    ]);
    const provider = r.string("cluster.provider", o.provider, { oneOf: CLUSTER_PROVIDERS, example: "aws" }) as ClusterProvider;
    const cloud = provider === "aws" || provider === "azure" || provider === "gcp";
    const nodes = r.object("cluster.nodes", o.nodes, "{ min: 3, max: 6, size: m6i.large }");
    r.unknownKeys("cluster.nodes", nodes, ["min", "max", "size", "diskGiB"]);
    const min = r.integer("cluster.nodes.min", nodes.min, { default: 1, min: 1, max: 1000, example: "3" });
    const max = r.integer("cluster.nodes.max", nodes.max, { default: Math.max(min, 3), min: 1, max: 1000, example: "6" });
    if (max < min) {
        r.issue("cluster.nodes.max", `must be at least cluster.nodes.min (${min}), got ${max}`, String(min * 2));
    }
    const network = r.object("cluster.network", o.network, "{ cidr: 10.20.0.0/16 }");
    r.unknownKeys("cluster.network", network, ["cidr", "natPerZone"]);
    const endpoint = r.object("cluster.endpoint", o.endpoint, "{ private: true }");
    r.unknownKeys("cluster.endpoint", endpoint, ["private", "allowedCidrs"]);
    const encryption = r.object("cluster.encryption", o.encryption, "{ kms: true }");
    r.unknownKeys("cluster.encryption", encryption, ["kms", "keyId"]);

    const cfg: ClusterConfig = {
        provider,
        name: r.string("cluster.name", o.name, { default: `delivery-${short}`, pattern: DNS_LABEL, what: "a DNS label", example: `delivery-${short}` }),
        region: cloud
            ? r.string("cluster.region", o.region, { pattern: /^[a-z0-9-]+$/, what: "a region name", example: provider === "azure" ? "westeurope" : provider === "gcp" ? "europe-west1" : "eu-west-1" })
            : r.string("cluster.region", o.region, { optional: true, example: "eu-west-1" }) ?? "",
        zones: r.stringList("cluster.zones", o.zones, { default: [], example: provider === "azure" ? `["1", "2", "3"]` : "[eu-west-1a, eu-west-1b, eu-west-1c]" }),
        version: r.string("cluster.version", o.version, { default: DEFAULT_KUBERNETES_VERSION, pattern: K8S_VERSION, what: "a quoted minor version like \"1.31\"", example: `"1.31"` }),
        nodes: {
            min,
            max,
            size: r.string("cluster.nodes.size", nodes.size, { default: cloud ? DEFAULT_NODE_SIZE[provider] : "", example: cloud ? DEFAULT_NODE_SIZE[provider] : "m6i.large" }),
            diskGiB: r.integer("cluster.nodes.diskGiB", nodes.diskGiB, { default: 50, min: 20, max: 2000, example: "100" }),
        },
        networkCidr: r.string("cluster.network.cidr", network.cidr, { default: "10.0.0.0/16", pattern: CIDR, what: "an IPv4 CIDR", example: "10.20.0.0/16" }),
        natPerZone: r.boolean("cluster.network.natPerZone", network.natPerZone, { default: env === "production", example: "true" }),
        adminArns: r.stringList("cluster.adminArns", o.adminArns, { default: [], pattern: /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, what: "an IAM role or user ARN", example: "[arn:aws:iam::123456789012:role/platform-admins]" }),
        privateEndpoint: r.boolean("cluster.endpoint.private", endpoint.private, { default: false, example: "true" }),
        allowedCidrs: r.stringList("cluster.endpoint.allowedCidrs", endpoint.allowedCidrs, { default: [], pattern: CIDR, what: "an IPv4 CIDR", example: "[203.0.113.0/24]" }),
        kmsEncryption: r.boolean("cluster.encryption.kms", encryption.kms, { default: true, example: "true" }),
        kmsKeyId: r.string("cluster.encryption.keyId", encryption.keyId, { optional: true, example: "arn:aws:kms:eu-west-1:123456789012:key/…" }),
        logging: r.boolean("cluster.logging", o.logging, { default: true, example: "true" }),
        autoUpgrade: r.boolean("cluster.autoUpgrade", o.autoUpgrade, { default: true, example: "true" }),
        protect: r.boolean("cluster.protect", o.protect, { default: env === "production", example: "true" }),
        project: provider === "gcp"
            ? r.string("cluster.project", o.project, { pattern: /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, what: "a GCP project id", example: "acme-prod-123" })
            : r.string("cluster.project", o.project, { optional: true, example: "acme-prod-123" }),
        resourceGroup: r.string("cluster.resourceGroup", o.resourceGroup, { optional: true, example: "rg-delivery-prod" }),
        context: r.string("cluster.context", o.context, { optional: true, example: "kind-local" }),
        kubeconfigPath: r.string("cluster.kubeconfigPath", o.kubeconfigPath, { optional: true, example: "~/.kube/config" }),
        oidcIssuer: r.string("cluster.oidcIssuer", o.oidcIssuer, { optional: true, pattern: /^https:\/\//, what: "an https URL", example: "https://oidc.example.com/id/ABC" }),
        oidcProviderArn: r.string("cluster.oidcProviderArn", o.oidcProviderArn, { optional: true, pattern: /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//, what: "an IAM OIDC provider ARN", example: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" }),
        stack: provider === "stack"
            ? r.string("cluster.stack", o.stack, { pattern: STACK_REF, what: "a stack reference <org>/<project>/<stack>", example: "organization/delivery/dev" })
            : r.string("cluster.stack", o.stack, { optional: true, example: "organization/delivery/dev" }),
    };
    checkZones(r, cfg, provider);
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
    const seen = new Map<string, number>();
    c.zones.forEach((z, i) => {
        if (seen.has(z)) {
            r.issue(`cluster.zones[${i}]`, `repeats zone ${show(z)} (also cluster.zones[${seen.get(z)}]): a zone counts once toward zone redundancy`,
                provider === "azure" ? `["1", "2", "3"]` : `[${c.region}a, ${c.region}b, ${c.region}c]`);
        } else {
            seen.set(z, i);
        }
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

/** The network is a network address and large enough for the subnets the program carves (16 equal parts). */
function checkNetwork(r: ConfigReader, cidr: string, cloud: boolean): void {
    if (!CIDR.test(cidr)) {
        return;
    }
    const [addr, bits] = cidr.split("/");
    const prefix = Number(bits);
    const n = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const host = prefix === 0 ? n : n % 2 ** (32 - prefix);
    if (host !== 0) {
        r.issue("cluster.network.cidr", `${cidr} has host bits set: the network address of a /${prefix} ends in the prefix's boundary`, "10.20.0.0/16");
    }
    if (cloud && (prefix < 8 || prefix > 22)) {
        r.issue("cluster.network.cidr", `is a /${prefix}; the program splits the network into 16 subnets (/${prefix + 4} each), so it must be between a /8 and a /22`, "10.20.0.0/16");
    }
}

function readNamespace(r: ConfigReader, value: unknown, defaultName: string): NamespaceConfig {
    const o = r.object("namespace", value, "{ podSecurity: restricted }");
    r.unknownKeys("namespace", o, ["name", "podSecurity", "quota", "limits", "ingressNamespace"]);
    const quota = r.object("namespace.quota", o.quota, "{ cpu: \"8\", memory: 16Gi, pods: 40 }");
    r.unknownKeys("namespace.quota", quota, ["cpu", "memory", "pods"]);
    const limits = r.object("namespace.limits", o.limits, "{ defaultRequest: { cpu: 100m, memory: 128Mi } }");
    r.unknownKeys("namespace.limits", limits, ["defaultRequest", "default"]);
    return {
        name: r.string("namespace.name", o.name, { default: defaultName, pattern: DNS_LABEL, what: "a DNS label", example: defaultName }),
        podSecurity: r.string("namespace.podSecurity", o.podSecurity, { default: "restricted", oneOf: POD_SECURITY, example: "restricted" }) as NamespaceConfig["podSecurity"],
        quota: {
            cpu: r.string("namespace.quota.cpu", quota.cpu, { default: "4", pattern: CPU, what: "a CPU quantity", example: `"8"` }),
            memory: r.string("namespace.quota.memory", quota.memory, { default: "8Gi", pattern: MEMORY, what: "a memory quantity", example: "16Gi" }),
            pods: r.integer("namespace.quota.pods", quota.pods, { default: 20, min: 1, max: 5000, example: "40" }),
        },
        limits: {
            defaultRequest: amounts(r, "namespace.limits.defaultRequest", limits.defaultRequest, { cpu: "100m", memory: "128Mi" }),
            default: amounts(r, "namespace.limits.default", limits.default, { cpu: "500m", memory: "512Mi" }),
        },
        ingressNamespace: r.string("namespace.ingressNamespace", o.ingressNamespace, { default: DEFAULT_INGRESS_NAMESPACE, pattern: DNS_LABEL, what: "a namespace name", example: DEFAULT_INGRESS_NAMESPACE }),
    };
}

function readHelm(r: ConfigReader, value: unknown): HelmConfig {
    const o = r.object("helm", value, "{ wait: true, timeoutSeconds: 600 }");
    if (o.atomic !== undefined) {
        r.issue("helm.atomic", "is no longer used: the chart is rendered and each object applied by Pulumi; a failed rollout fails the update and the previous release keeps serving (see README, the rendering model)",
            "remove helm.atomic");
    }
    r.unknownKeys("helm", o, ["atomic", "wait", "timeoutSeconds"]);
    return {
        wait: r.boolean("helm.wait", o.wait, { default: true, example: "true" }),
        timeoutSeconds: r.integer("helm.timeoutSeconds", o.timeoutSeconds, { default: DEFAULT_HELM_TIMEOUT_SECONDS, min: 30, max: 3600, example: "600" }),
    };
}

function readReleaseFields(r: ConfigReader, key: string, o: Record<string, unknown>): Release {
    const version = r.string(`${key}.version`, o.version, { pattern: SEMVER, what: "a semantic version (never latest)", example: `"1.8.3"` });
    return {
        version,
        imageTag: r.string(`${key}.imageTag`, o.imageTag, { default: version, pattern: IMAGE_TAG, what: "an image tag", example: `"1.8.3"` }),
        imageDigest: r.string(`${key}.imageDigest`, o.imageDigest, { optional: true, pattern: DIGEST, what: "an image digest sha256:<64 hex>", example: "sha256:4f53…" }),
        chartVersion: r.string(`${key}.chartVersion`, o.chartVersion, { optional: true, pattern: SEMVER, what: "an exact chart version", example: `"0.4.1"` }),
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
    const o = r.object("release", value, "{ version: \"1.8.3\" }");
    r.unknownKeys("release", o, ["version", "imageTag", "imageDigest", "chartVersion"]);
    const rel = readReleaseFields(r, "release", o);
    if (rel.imageTag === "latest") {
        r.issue("release.imageTag", "must not be latest: releases are pinned", `"1.8.3"`);
    }
    return rel;
}

function readPromotion(r: ConfigReader, value: unknown, env: Environment, project: string): PromotionConfig {
    const o = r.object("promotion", value, `{ from: organization/${project}/staging }`);
    r.unknownKeys("promotion", o, ["from", "soak"]);
    const soakSeconds = readDuration(r, "promotion.soak", o.soak);
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
    const from = r.string("promotion.from", o.from, { default: def, pattern: STACK_REF, what: "a stack reference <org>/<project>/<stack>", example: def });
    const fromEnv = environmentFromStackName(from);
    if (fromEnv !== undefined && fromEnv !== upstream) {
        r.issue("promotion.from", `promotes ${env} from a ${fromEnv} stack (${from}); only ${upstream} → ${env} is allowed (dev → staging → prod)`, def);
    }
    return { from, soakSeconds };
}

/** `90s`, `30m`, `2h`, `1d` (or a sum like `1h30m`) in seconds; absent is 0. */
function readDuration(r: ConfigReader, key: string, value: unknown): number {
    if (value === undefined || value === null || value === "") {
        return 0;
    }
    const seconds = parseDuration(value);
    if (seconds === undefined) {
        r.issue(key, `must be a duration such as 30m, 2h or 1d; got ${show(value)}`, `"2h"`);
        return 0;
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

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

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
    if (!Array.isArray(value)) {
        r.issue("freeze", `must be a list of windows, got ${show(value)}`, `[{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }]`);
        return [];
    }
    return value.map((w, i) => {
        const key = `freeze[${i}]`;
        const o = r.object(key, w, `{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }`);
        r.unknownKeys(key, o, ["from", "to", "reason"]);
        const from = r.string(`${key}.from`, yamlTime(o.from), { pattern: RFC3339, what: "an RFC 3339 time with a zone", example: `"2026-12-20T00:00:00Z"` });
        const to = r.string(`${key}.to`, yamlTime(o.to), { pattern: RFC3339, what: "an RFC 3339 time with a zone", example: `"2027-01-04T00:00:00Z"` });
        const reason = r.string(`${key}.reason`, o.reason, { pattern: /\S.{4,}/, what: "a reason of at least 5 characters", example: `"year-end freeze"` });
        if (RFC3339.test(from) && RFC3339.test(to) && Date.parse(to) <= Date.parse(from)) {
            r.issue(`${key}.to`, `is not after ${key}.from (${from})`, `a time after ${from}`);
        }
        return { from, to, reason };
    });
}

const SMOKE_EXAMPLE = "{ smoke: { image: ghcr.io/acme/smoke-check:1.4.0, path: /healthz } }";
const URL_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%\/?-]*$/;

function readVerification(r: ConfigReader, value: unknown, app: AppConfig, helm: HelmConfig): VerificationConfig {
    const o = r.object("verification", value, SMOKE_EXAMPLE);
    r.unknownKeys("verification", o, ["smoke"]);
    if (o.smoke === undefined || o.smoke === null) {
        return {};
    }
    const s = r.object("verification.smoke", o.smoke, "{ image: ghcr.io/acme/smoke-check:1.4.0, path: /healthz, expectStatus: 200, timeout: 5m }");
    r.unknownKeys("verification.smoke", s, ["enabled", "image", "service", "port", "path", "expectStatus", "timeout", "command"]);
    if (!r.boolean("verification.smoke.enabled", s.enabled, { default: true, example: "false" })) {
        return {};
    }
    const image = r.string("verification.smoke.image", s.image, {
        pattern: /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
        what: "an image reference (registry/name:tag or @sha256 digest)", example: "ghcr.io/acme/smoke-check:1.4.0",
    });
    if (!helm.wait) {
        r.issue("verification.smoke", "needs helm.wait: true: a smoke check of a rollout nobody waited for would test the previous release's pods", "helm: { wait: true }");
    }
    const timeout = s.timeout === undefined ? 300 : readDuration(r, "verification.smoke.timeout", s.timeout);
    if (s.timeout !== undefined && timeout > 0 && (timeout < 10 || timeout > 3600)) {
        r.issue("verification.smoke.timeout", `must be between 10s and 1h; got ${show(s.timeout)}`, `"5m"`);
    }
    const command = s.command === undefined ? undefined : r.stringList("verification.smoke.command", s.command, { example: `["/check", "--url", "$(SMOKE_URL)"]` });
    if (command !== undefined && command.length === 0) {
        r.issue("verification.smoke.command", "is empty: leave it out for the default curl check, or give the image's check", `["/check", "--url", "$(SMOKE_URL)"]`);
    }
    const smoke: SmokeConfig = {
        image,
        service: r.string("verification.smoke.service", s.service, { default: app.name, pattern: DNS_LABEL, what: "a Service name (DNS label)", example: app.name }),
        port: r.integer("verification.smoke.port", s.port, { default: 80, min: 1, max: 65535, example: "80" }),
        path: r.string("verification.smoke.path", s.path, { default: "/", pattern: URL_PATH, what: "a URL path starting with /", example: "/healthz" }),
        expectStatus: r.integer("verification.smoke.expectStatus", s.expectStatus, { default: 200, min: 100, max: 599, example: "200" }),
        timeoutSeconds: timeout > 0 ? timeout : 300,
        ...(command !== undefined ? { command } : {}),
    };
    return { smoke };
}

function readOverride(r: ConfigReader, value: unknown): GateOverride | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const example = `{ gates: [soak], reason: "INC-2300: checkout hotfix cannot wait for the soak" }`;
    const o = r.object("override", value, example);
    r.unknownKeys("override", o, ["gates", "reason"]);
    const gates = r.stringList("override.gates", o.gates, { example: "[soak, freeze]" });
    gates.forEach((g, i) => {
        if (!(OVERRIDABLE_GATES as readonly string[]).includes(g)) {
            r.issue(`override.gates[${i}]`, `must be one of ${OVERRIDABLE_GATES.join(", ")}; got ${show(g)} (policy is never overridden)`, "soak");
        }
    });
    if (gates.length === 0) {
        r.issue("override.gates", "is empty: name the gates to override (soak, freeze), or remove override", "[soak]");
    }
    const reason = r.string("override.reason", o.reason, { pattern: /\S.{8,}/, what: "a reason of at least 10 characters (incident or ticket)", example: `"INC-2300: checkout hotfix cannot wait for the soak"` });
    return { gates: gates.filter((g): g is OverridableGate => (OVERRIDABLE_GATES as readonly string[]).includes(g)), reason };
}

function readPin(r: ConfigReader, value: unknown, env: Environment): PinConfig | undefined {
    if (value === undefined) {
        return undefined;
    }
    const o = r.object("pin", value, "{ version: \"1.8.2\", reason: \"INC-2291: roll back 1.8.3\" }");
    r.unknownKeys("pin", o, ["version", "imageTag", "imageDigest", "chartVersion", "reason", "emergency"]);
    if (env === "development") {
        r.issue("pin", "is not used on development stacks: set delivery:release.version to the version to run", "remove pin; set release.version");
    }
    const rel = readReleaseFields(r, "pin", o);
    const reason = r.string("pin.reason", o.reason, { pattern: /\S.{8,}/, what: "a reason of at least 10 characters (incident or ticket)", example: `"INC-2291: 1.8.3 leaks connections"` });
    const emergency = r.boolean("pin.emergency", o.emergency, { default: false, example: "true" });
    return { ...rel, reason, emergency };
}

function checkLimits(r: ConfigReader, key: string, requests: ResourceAmounts, limits: ResourceAmounts, requestsKey: string): void {
    for (const kind of ["cpu", "memory"] as const) {
        const req = quantity(requests[kind], kind);
        const lim = quantity(limits[kind], kind);
        if (req !== undefined && lim !== undefined && lim < req) {
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
        const owned: Record<string, string> = { LOG_LEVEL: "delivery:app.logLevel", APP_ENVIRONMENT: "the stack's environment (delivery:environment)" };
        for (const name of Object.keys(s.app.env)) {
            const by = owned[name] ?? (name.startsWith("FEATURE_") ? "delivery:app.features" : undefined);
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
    const composed = composeLayers(stackLayers(s, release ?? { imageTag: "0.0.0", imageDigest: undefined }));
    const schemaFile = `${s.chart.path}/values.schema.json`;
    for (const p of validateAgainstSchema(chartDir.schema, chartDir.defaults, composed, s.chart.path)) {
        const file = /^delivery:(valuesFiles\[\d+\]) \((.*)\)$/.exec(p.origin);
        const key = file ? `${file[1]} → ${p.path || "(top level)"}`
            : p.origin === "delivery:values" ? `values${p.path ? `.${p.path}` : ""}`
            : p.origin === "delivery:app" ? `app (chart value ${p.path})`
            : p.origin === RELEASE_ORIGIN ? `chart.imageValues (chart value ${p.path})`
            : `values.${p.path}`;
        const where = file ? `set in ${file[2]}; ` : p.origin.startsWith("delivery:") || p.origin === RELEASE_ORIGIN ? "" : `set by ${p.origin}; `;
        r.issue(key, `${p.problem} (${where}checked against ${schemaFile})`, `a value ${schemaFile} accepts at ${p.path || "the top level"}`);
    }
}

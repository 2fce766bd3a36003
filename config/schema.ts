/**
 * The one schema of a stack's `delivery:*` configuration: every key, its type, default, range,
 * pattern, description and example is written here and nowhere else.
 *
 * - The program reads each key through `ConfigReader` with the node of this schema that describes
 *   it (config/parse.ts, config/secrets.ts, config/chart.ts): the rules come from here, the code
 *   only adds what a schema cannot say (defaults computed from the environment or another key,
 *   cross-field and per-environment checks).
 * - `schema/stack-config.schema.json` is generated from it (`npm run schema`) and validates a whole
 *   `Pulumi.<stack>.yaml` in an editor with the YAML language server, before any command runs.
 * - docs/config-reference.md is generated from the descriptions and defaults.
 *
 * TypeBox values are JSON Schema objects, so what the editor checks is exactly what is written
 * here; `Static<typeof X>` gives the TypeScript type of a node.
 *
 * Keywords beyond JSON Schema's validation vocabulary (annotations; validators ignore them):
 * - `patternErrorMessage`: "must be <what the pattern means>", shown by the editor, and by the
 *   program as "must be <what>; got …".
 * - `x-default`: the default when it depends on the environment or another key (text).
 * - `x-secret`: the key's value must be a Pulumi secret.
 * - `x-hint`: added to the program's message when a value is not one of an enum's.
 * - `x-max`: the longest a duration key may be (a duration text such as 30d).
 * - `x-key-what`: on a map whose keys have a pattern, what a key must be (for the program's message).
 * - `x-unique`: with `uniqueItems`, what an entry is and why it may be listed once ("zone: a zone
 *   counts once toward zone redundancy"), for the program's message.
 */
import { Type, TSchema, Static, TProperties } from "@sinclair/typebox";

/** A string of a given shape; `what` names the shape in messages ("must be <what>"). */
function Text(description: string, o: { pattern?: string; what?: string; default?: string; example: unknown; xDefault?: string; minLength?: number; maxLength?: number }) {
    return Type.String({
        description,
        ...(o.pattern !== undefined ? { pattern: o.pattern, patternErrorMessage: `must be ${o.what}` } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.xDefault !== undefined ? { "x-default": o.xDefault } : {}),
        ...(o.minLength !== undefined ? { minLength: o.minLength } : {}),
        ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}),
        examples: [o.example],
    });
}

/** One of a fixed set of strings. */
function OneOf<const T extends string>(values: readonly T[], description: string, o: { default?: NoInfer<T>; example: NoInfer<T>; xDefault?: string; hint?: string }) {
    return Type.Unsafe<T>({
        type: "string", enum: [...values], description,
        ...(o.hint !== undefined ? { "x-hint": o.hint } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.xDefault !== undefined ? { "x-default": o.xDefault } : {}),
        examples: [o.example],
    });
}

function Whole(description: string, o: { minimum: number; maximum?: number; default?: number; xDefault?: string; example: number }) {
    return Type.Integer({
        description, minimum: o.minimum,
        ...(o.maximum !== undefined ? { maximum: o.maximum } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.xDefault !== undefined ? { "x-default": o.xDefault } : {}),
        examples: [o.example],
    });
}

function Flag(description: string, o: { default?: boolean; xDefault?: string; example?: boolean }) {
    return Type.Boolean({
        description,
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.xDefault !== undefined ? { "x-default": o.xDefault } : {}),
        examples: [o.example ?? true],
    });
}

/** `unique`: each entry at most once, as "<entry>: <why>" (a repeat is a copy-paste slip that would be ignored or collide). */
function List<T extends TSchema>(items: T, description: string, o: { example: unknown; default?: unknown[]; minItems?: number; unique?: string }) {
    return Type.Array(items, {
        description, examples: [o.example],
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.minItems !== undefined ? { minItems: o.minItems } : {}),
        ...(o.unique !== undefined ? { uniqueItems: true, "x-unique": o.unique } : {}),
    });
}

/** An object whose keys are all listed (a key not listed is a typo). */
function Section<P extends TProperties>(properties: P, description: string, example: unknown) {
    return Type.Object(properties, { additionalProperties: false, description, examples: [example] });
}

const Opt = Type.Optional;

// ---- shapes used by several keys ---------------------------------------------------------------

export const PATTERNS = {
    dnsLabel: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    /** Numbers without leading zeros (semver 2.0.0 §2): 01.8.3 is not 1.8.3. */
    semver: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$",
    /** Chart versions may carry a leading v (Helm accepts it). */
    chartSemver: "^v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$",
    exactVersion: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$",
    digest: "^sha256:[a-f0-9]{64}$",
    imageTag: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
    imageRepository: "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\\/[a-z0-9]+([._-][a-z0-9]+)*)*$",
    imageReference: "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
    /** An IPv4 CIDR whose octets are 0–255. */
    cidr: "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\/(\\d|[12]\\d|3[0-2])$",
    k8sVersion: "^1\\.\\d{2}$",
    /** More than zero: a zero limit or quota admits no container. */
    cpu: "^(?=.*[1-9])(\\d+m|\\d+(\\.\\d+)?)$",
    memory: "^(?=.*[1-9])\\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$",
    hostname: "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$",
    stackRef: "^[A-Za-z0-9_.-]+\\/[A-Za-z0-9_.-]+\\/[A-Za-z0-9_.-]+$",
    duration: "^(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$",
    rfc3339: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$",
    reason10: "\\S.{8,}",
    https: "^https:\\/\\/[^\\s]+$",
    gcpProject: "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
    urlPath: "^\\/[A-Za-z0-9._~!$&'()*+,;=:@%\\/?-]*$",
    dotted: "^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*$",
    envName: "^[A-Za-z_][A-Za-z0-9_]*$",
    featureName: "^[A-Za-z][A-Za-z0-9]*$",
} as const;

const VERSION_WHAT = "a semantic version (never latest)";
/** Reasons are a line or two in the release record and the pack's reports, not documents. */
const REASON_MAX = 500;

function amounts(description: string, cpu: string, memory: string) {
    return Section({
        cpu: Opt(Text("CPU quantity.", { pattern: PATTERNS.cpu, what: "a CPU quantity above zero such as 250m or 2", default: cpu, example: "250m" })),
        memory: Opt(Text("Memory quantity.", { pattern: PATTERNS.memory, what: "a memory quantity above zero such as 256Mi", default: memory, example: "256Mi" })),
    }, description, { cpu: "250m", memory: "256Mi" });
}

function releaseFields(what: string) {
    return {
        version: Text(`Application version of the ${what} (semver).`, { pattern: PATTERNS.semver, what: VERSION_WHAT, example: "1.8.3" }),
        imageTag: Opt(Text("Image tag.", { pattern: PATTERNS.imageTag, what: "an image tag", xDefault: "the version", example: "1.8.3" })),
        imageDigest: Opt(Text("Image digest, preferred over the tag when set.", { pattern: PATTERNS.digest, what: "an image digest sha256:<64 hex>", example: "sha256:4f53…" })),
        chartVersion: Opt(Text("Chart version; for the bundled chart, the version in its Chart.yaml.", { pattern: PATTERNS.semver, what: "an exact chart version", example: "0.4.1" })),
    };
}

// ---- delivery:cluster --------------------------------------------------------------------------

export const CLUSTER_PROVIDERS = ["aws", "azure", "gcp", "existing", "stack"] as const;
/** Node sizes per cloud when cluster.nodes.size is not set: general-purpose, 2–4 vCPU. */
export const DEFAULT_NODE_SIZE: Readonly<Record<"aws" | "azure" | "gcp", string>> = {
    aws: "m6i.large",
    azure: "Standard_D4s_v5",
    gcp: "e2-standard-4",
};

export const ClusterSchema = Section({
    provider: OneOf(CLUSTER_PROVIDERS, "Where the cluster comes from: a new EKS, AKS or GKE cluster, an existing cluster (kubeconfig), or another stack's cluster.", { example: "aws" }),
    name: Opt(Text("Cluster name.", { pattern: PATTERNS.dnsLabel, what: "a DNS label", xDefault: "delivery-<env short name>", example: "delivery-prod" })),
    region: Opt(Text("Cloud region (required for aws, azure, gcp).", { pattern: "^[a-z0-9-]+$", what: "a region name", example: "eu-west-1" })),
    zones: Opt(List(Type.String(), "Zones the nodes spread over (AWS AZ names, Azure zone numbers, GCP zone names); at least one on a cloud.", {
        default: [], example: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], unique: "zone: a zone counts once toward zone redundancy",
    })),
    version: Opt(Text("Kubernetes minor version, quoted.", { pattern: PATTERNS.k8sVersion, what: "a quoted minor version like \"1.31\"", default: "1.31", example: "1.31" })),
    nodes: Opt(Section({
        min: Opt(Whole("Autoscaling floor.", { minimum: 1, maximum: 1000, default: 1, example: 3 })),
        max: Opt(Whole("Autoscaling ceiling (at least min).", { minimum: 1, maximum: 1000, xDefault: "the larger of min and 3", example: 6 })),
        size: Opt(Text("Instance type / VM size / machine type.", { xDefault: Object.entries(DEFAULT_NODE_SIZE).map(([c, size]) => `${size} (${c})`).join(", "), example: "m6i.large" })),
        diskGiB: Opt(Whole("Node disk size in GiB.", { minimum: 20, maximum: 2000, default: 50, example: 100 })),
    }, "The node pool.", { min: 3, max: 6, size: "m6i.large" })),
    network: Opt(Section({
        cidr: Opt(Text("VPC / VNet address space: a network address between a /8 and a /22 (split into 16 subnets).", { pattern: PATTERNS.cidr, what: "an IPv4 CIDR", default: "10.0.0.0/16", example: "10.20.0.0/16" })),
        natPerZone: Opt(Flag("One NAT gateway per zone (EKS), so losing a zone does not cut the others' egress; production with several zones requires it.", { xDefault: "true in production, false elsewhere" })),
    }, "The cluster's network.", { cidr: "10.20.0.0/16" })),
    endpoint: Opt(Section({
        private: Opt(Flag("API endpoint reachable only from inside the network.", { default: false })),
        allowedCidrs: Opt(List(Text("A CIDR allowed to reach the public endpoint.", { pattern: PATTERNS.cidr, what: "an IPv4 CIDR", example: "203.0.113.0/24" }),
            "CIDRs allowed to reach a public API endpoint (empty: everyone; the policy pack blocks this in prod).", { default: [], example: ["203.0.113.0/24"], unique: "range: a range is allowed once" })),
    }, "The Kubernetes API endpoint.", { private: true })),
    encryption: Opt(Section({
        kms: Opt(Flag("Encrypt Kubernetes secrets with a KMS key created by the program (or keyId).", { default: true })),
        keyId: Opt(Text("An existing KMS key (ARN / Key Vault key id / Cloud KMS key name) instead of a new one.", { example: "arn:aws:kms:eu-west-1:123456789012:key/…" })),
    }, "Encryption of Kubernetes secrets at rest.", { kms: true })),
    logging: Opt(Flag("Control-plane audit and API logging.", { default: true })),
    autoUpgrade: Opt(Flag("Automatic node and control-plane patch upgrades.", { default: true })),
    protect: Opt(Flag("Protect the cluster against deletion.", { xDefault: "true in production, false elsewhere" })),
    adminArns: Opt(List(Text("An IAM role or user ARN.", { pattern: "^arn:aws[a-z-]*:iam::\\d{12}:(role|user)\\/[\\w+=,.@/-]+$", what: "an IAM role or user ARN", example: "arn:aws:iam::123456789012:role/platform-admins" }),
        "IAM principals given cluster-admin through EKS access entries; the deployer is always added.", { default: [], example: ["arn:aws:iam::123456789012:role/platform-admins"], unique: "principal: one access entry per principal" })),
    project: Opt(Text("GCP project (required for gcp).", { pattern: PATTERNS.gcpProject, what: "a GCP project id", example: "acme-prod-123" })),
    resourceGroup: Opt(Text("Existing resource group (azure).", { xDefault: "a new one named after the cluster", example: "rg-delivery-prod" })),
    context: Opt(Text("kubeconfig context (existing). A production stack on an existing cluster needs the owners' marker in it: ConfigMap kube-system/delivery-cluster with environment: production.", { example: "kind-local" })),
    kubeconfigPath: Opt(Text("kubeconfig file path (existing); the secret key delivery:kubeconfig takes precedence.", { example: "~/.kube/config" })),
    oidcIssuer: Opt(Text("OIDC issuer URL of an existing cluster, for workload identity.", { pattern: "^https:\\/\\/", what: "an https URL", example: "https://oidc.example.com/id/ABC" })),
    oidcProviderArn: Opt(Text("IAM OIDC provider ARN of an existing EKS cluster.", { pattern: "^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider\\/", what: "an IAM OIDC provider ARN", example: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" })),
    stack: Opt(Text("Stack whose cluster this stack reuses (required for provider stack), e.g. dev and staging sharing one cluster by namespace; production borrows only from a stack whose own environment output is production.", { pattern: PATTERNS.stackRef, what: "a stack reference <org>/<project>/<stack>", example: "organization/delivery/dev" })),
}, "The Kubernetes cluster the stack deploys to.", { provider: "aws", region: "eu-west-1" });

// ---- delivery:app ------------------------------------------------------------------------------

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

export const FeatureFlag = Flag("A feature flag.", {});
export const EnvValue = Text("A non-secret value.", { example: "a quoted value", maxLength: 32768 });

export const AppSchema = Section({
    name: Text("DNS-label name of the application; names the release, service account and labels.", { pattern: PATTERNS.dnsLabel, what: "a DNS label (lower-case letters, digits, dashes)", example: "storefront" }),
    image: Text("Image repository without tag or digest; the release supplies those.", { pattern: PATTERNS.imageRepository, what: "an image repository without tag or digest (the release sets those)", example: "ghcr.io/acme/storefront" }),
    port: Opt(Whole("Container port.", { minimum: 1, maximum: 65535, default: 8080, example: 8080 })),
    replicas: Whole("Replicas (the autoscaling floor's default).", { minimum: 1, maximum: 100, example: 3 }),
    resources: Opt(Section({
        requests: Opt(amounts("Requests of the app container.", "100m", "128Mi")),
        limits: Opt(amounts("Limits of the app container (at least the requests).", "500m", "256Mi")),
    }, "Container resources.", { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } })),
    autoscaling: Opt(Section({
        enabled: Opt(Flag("A HorizontalPodAutoscaler.", { default: false })),
        min: Opt(Whole("Replica floor.", { minimum: 1, maximum: 100, xDefault: "app.replicas", example: 3 })),
        max: Opt(Whole("Replica ceiling (at least min).", { minimum: 1, maximum: 500, xDefault: "the larger of min and app.replicas", example: 10 })),
        cpuTarget: Opt(Whole("Target CPU utilisation, percent.", { minimum: 10, maximum: 95, default: 70, example: 70 })),
    }, "Horizontal autoscaling.", { enabled: true, min: 3, max: 10, cpuTarget: 70 })),
    pdb: Opt(Section({
        minAvailable: Opt(Whole("Pods that must stay up during drains; 0 disables the PodDisruptionBudget; below the replica floor.", { minimum: 0, maximum: 100, default: 0, example: 2 })),
    }, "PodDisruptionBudget.", { minAvailable: 2 })),
    ingress: Opt(Section({
        enabled: Opt(Flag("An Ingress for the app.", { xDefault: "true when host is set" })),
        host: Opt(Text("Host name (required when enabled).", { pattern: PATTERNS.hostname, what: "a DNS host name", example: "shop.example.com", maxLength: 253 })),
        className: Opt(Text("IngressClass.", { pattern: PATTERNS.dnsLabel, what: "an IngressClass name", default: "nginx", example: "nginx" })),
        tls: Opt(Flag("TLS on the Ingress.", { default: true })),
    }, "Ingress.", { host: "shop.example.com" })),
    logLevel: Opt(OneOf(LOG_LEVELS, "Log level given to the app.", { default: "info", example: "info" })),
    features: Opt(Type.Record(Type.String({ pattern: PATTERNS.featureName }), FeatureFlag, {
        description: "Feature flags, passed to the bundled chart as FEATURE_<NAME> environment variables.", examples: [{ newCheckout: true }],
        additionalProperties: false, "x-key-what": "a feature name (letters and digits, camelCase)",
    })),
    env: Opt(Type.Record(Type.String({ pattern: PATTERNS.envName }), EnvValue, {
        description: "Non-secret environment variables; secrets come from delivery:secrets.", examples: [{ REGION: "eu-west-1" }],
        additionalProperties: false, "x-key-what": "an environment variable name (letters, digits and _, not starting with a digit)",
    })),
    spreadAcrossZones: Opt(Flag("Spread replicas across zones with a topology spread constraint.", { xDefault: "true in production, false elsewhere" })),
}, "The application.", { name: "storefront", image: "ghcr.io/acme/storefront" });

// ---- delivery:namespace ------------------------------------------------------------------------

export const POD_SECURITY = ["privileged", "baseline", "restricted"] as const;

export const NamespaceSchema = Section({
    name: Opt(Text("Namespace of the app (never a platform namespace).", { pattern: PATTERNS.dnsLabel, what: "a DNS label", xDefault: "<app>-<env short name>", example: "storefront-prod" })),
    podSecurity: Opt(OneOf(POD_SECURITY, "Pod Security Admission level enforced on the namespace.", { default: "restricted", example: "restricted" })),
    quota: Opt(Section({
        cpu: Opt(Text("CPU requests quota.", { pattern: PATTERNS.cpu, what: "a CPU quantity above zero", default: "4", example: "8" })),
        memory: Opt(Text("Memory requests quota.", { pattern: PATTERNS.memory, what: "a memory quantity above zero", default: "8Gi", example: "16Gi" })),
        pods: Opt(Whole("Pod count quota (at least the app's pods).", { minimum: 1, maximum: 5000, default: 20, example: 40 })),
    }, "ResourceQuota.", { cpu: "8", memory: "16Gi", pods: 40 })),
    limits: Opt(Section({
        defaultRequest: Opt(amounts("Default requests of a container.", "100m", "128Mi")),
        default: Opt(amounts("Default limits of a container.", "500m", "512Mi")),
    }, "LimitRange defaults.", { defaultRequest: { cpu: "100m", memory: "128Mi" } })),
    ingressNamespace: Opt(Text("Namespace of the ingress controller allowed to reach the app.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", default: "ingress-nginx", example: "ingress-nginx" })),
}, "The app's namespace. It always gets a default-deny NetworkPolicy plus allows for DNS, same-namespace traffic and the ingress controller to the app port; LoadBalancer and NodePort services are capped at 0 by the quota.", { podSecurity: "restricted" });

// ---- delivery:chart, valuesFiles, values, helm -------------------------------------------------

export const ChartSchema = Section({
    path: Opt(Text("A chart directory inside the project.", { default: "charts/app", example: "charts/app" })),
    repository: Opt(Text("An https:// Helm repository or an oci:// registry (instead of path).", { pattern: "^(https|oci):\\/\\/", what: "an https:// Helm repository or an oci:// registry URL", example: "https://charts.acme.io" })),
    name: Opt(Text("Chart name in the repository (required with repository).", { pattern: "^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$", what: "a chart name", example: "storefront" })),
    version: Opt(Text("Exact chart version (required with repository).", { pattern: PATTERNS.chartSemver, what: "an exact chart version (no ranges, no latest)", example: "0.4.1" })),
    caFile: Opt(Text("CA certificate file of an https repository with a private CA.", { example: "certs/charts-ca.pem" })),
    imageValues: Opt(Section({
        repository: Opt(Text("Dotted path of the image repository.", { pattern: PATTERNS.dotted, what: "a dotted path into the chart's values", example: "connect.image.repository" })),
        tag: Opt(Text("Dotted path of the image tag.", { pattern: PATTERNS.dotted, what: "a dotted path into the chart's values", example: "connect.image.tag" })),
        digest: Opt(Text("Dotted path of the image digest.", { pattern: PATTERNS.dotted, what: "a dotted path into the chart's values", example: "connect.image.digest" })),
    }, "Where the promoted release lands in the chart's values (tag and/or digest required for a chart that is not the bundled one).", { repository: "connect.image.repository", tag: "connect.image.tag" })),
    appValues: Opt(Flag("Give the typed delivery:app keys to the chart under the bundled chart's value names (replicaCount, resources, autoscaling, podDisruptionBudget, ingress, env…); set it for a chart that follows those names.", { xDefault: "true for the bundled chart, false otherwise" })),
}, "The chart: the bundled one, a directory, a Helm repository or an OCI registry.", { path: "charts/app" });

export const ValuesFilesSchema = List(Type.String(), "Values files inside the project, merged in order before delivery:values.", { default: [], example: ["values/prod.yaml"], unique: "file: a file merged twice changes nothing the first merge did not" });

export const ValuesSchema = Type.Object({}, {
    additionalProperties: true,
    description: "Inline chart values, merged last; checked against the chart's values.schema.json when it has one.",
    examples: [{ connect: { replicas: 3 } }],
});

export const HelmSchema = Section({
    atomic: Opt(Type.Unsafe<unknown>({ description: "No longer used: a failed rollout fails the update and the previous release keeps serving.", deprecated: true })),
    wait: Opt(Flag("Wait for every rendered object to become ready; a rollout that does not fails the update.", { default: true })),
    timeoutSeconds: Opt(Whole("How long to wait for readiness.", { minimum: 30, maximum: 3600, default: 600, example: 600 })),
}, "How the release is applied.", { wait: true, timeoutSeconds: 600 });

// ---- release, promotion, pin, freeze, verification, override -----------------------------------

export const ReleaseSchema = Section(releaseFields("release"),
    "The release a development stack runs (CI sets it on merge); staging and prod take theirs from upstream.", { version: "1.8.3" });

export const PromotionSchema = Section({
    from: Opt(Text("Stack this one takes its release from (not on development); only dev → staging → prod.", { pattern: PATTERNS.stackRef, what: "a stack reference <org>/<project>/<stack>", xDefault: "organization/<project>/<upstream>", example: "organization/delivery/staging" })),
    soak: Opt({ ...Text("How long the upstream must have run a release, verified, before this stack takes it; at most 30d.", { pattern: PATTERNS.duration, what: "a duration such as 30m, 2h or 1d", default: "0s", example: "2h" }), "x-max": "30d" }),
}, "Where the release comes from.", { from: "organization/delivery/staging" });

export const PinSchema = Section({
    ...releaseFields("pin"),
    reason: Text("Why the stack is pinned (incident, ticket); recorded in the release record.", { pattern: PATTERNS.reason10, what: "a reason of at least 10 characters (incident or ticket)", example: "INC-2291: 1.8.3 leaks connections", maxLength: REASON_MAX }),
    emergency: Opt(Flag("A release the upstream chain never ran, on purpose: recorded and reported by the policy pack.", { default: false })),
}, "Hold a staging or prod stack at a release: a rollback when the stack ran it; in production otherwise only a release staging ran, or emergency: true.", { version: "1.8.2", reason: "INC-2291: roll back 1.8.3" });

export const FreezeSchema = List(Section({
    from: Text("Start of the window.", { pattern: PATTERNS.rfc3339, what: "an RFC 3339 time with a zone", example: "2026-12-20T00:00:00Z" }),
    to: Text("End of the window (after from).", { pattern: PATTERNS.rfc3339, what: "an RFC 3339 time with a zone", example: "2027-01-04T00:00:00Z" }),
    reason: Text("Why.", { pattern: "\\S.{4,}", what: "a reason of at least 5 characters", example: "year-end freeze", maxLength: REASON_MAX }),
}, "A window in which the release does not change (a rollback or an override still may).", { from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }),
"Freeze windows: while now is inside one, the stack's release does not change (the update is refused naming the window; DELIVERY_NOW sets the clock for rehearsals).", { default: [], example: [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }] });

export const SmokeSchema = Section({
    enabled: Opt(Flag("Run the check.", { default: true, example: false })),
    image: Text("An image with sh and curl, or one that implements its own check with command.", { pattern: PATTERNS.imageReference, what: "an image reference (registry/name:tag or @sha256 digest)", example: "ghcr.io/acme/smoke-check:1.4.0" }),
    service: Opt(Text("The Service the check calls.", { pattern: PATTERNS.dnsLabel, what: "a Service name (DNS label)", xDefault: "the app's name (the bundled chart's Service)", example: "storefront" })),
    port: Opt(Whole("The Service port.", { minimum: 1, maximum: 65535, default: 80, example: 80 })),
    path: Opt(Text("The URL path.", { pattern: PATTERNS.urlPath, what: "a URL path starting with /", default: "/", example: "/healthz" })),
    expectStatus: Opt(Whole("The HTTP status the check expects.", { minimum: 100, maximum: 599, default: 200, example: 200 })),
    timeout: Opt(Text("How long the Job may run before it fails, 10s to 1h.", { pattern: PATTERNS.duration, what: "a duration such as 30m, 2h or 1d", default: "5m", example: "5m" })),
    command: Opt(List(Type.String(), "The image's own check; it gets SMOKE_URL, SMOKE_EXPECT_STATUS and SMOKE_VERSION.", { example: ["/check", "--url", "$(SMOKE_URL)"], minItems: 1 })),
}, "The in-cluster smoke check run after every rollout (a Job; needs helm.wait).", { image: "ghcr.io/acme/smoke-check:1.4.0", path: "/healthz", expectStatus: 200, timeout: "5m" });

export const VerificationSchema = Section({
    smoke: Opt(SmokeSchema),
}, "Verification of a release inside the update; without it the rollout's readiness is the only verification.", { smoke: { image: "ghcr.io/acme/smoke-check:1.4.0", path: "/healthz" } });

export const OVERRIDABLE_GATES = ["soak", "freeze"] as const;

export const OverrideSchema = Section({
    gates: List(OneOf(OVERRIDABLE_GATES, "A gate to override (policy is never overridden).", { example: "soak", hint: "policy is never overridden" }), "The gates to override.", { example: ["soak"], minItems: 1, unique: "gate: a gate is overridden once" }),
    reason: Text("Why (incident or ticket); recorded in the release record.", { pattern: PATTERNS.reason10, what: "a reason of at least 10 characters (incident or ticket)", example: "INC-2300: checkout hotfix cannot wait for the soak", maxLength: REASON_MAX }),
}, "The emergency override of soak or freeze windows: recorded and reported by the policy pack.", { gates: ["soak"], reason: "INC-2300: checkout hotfix cannot wait for the soak" });

// ---- delivery:rollout ---------------------------------------------------------------------------

export const ROLLOUT_STRATEGIES = ["rolling", "blueGreen"] as const;
export const COLOURS = ["blue", "green"] as const;

export const RolloutSchema = Section({
    strategy: Opt(OneOf(ROLLOUT_STRATEGIES, "rolling: the chart's own rolling update. blueGreen: two colours of the release side by side; a new release goes to the idle colour, is verified there, then the program's Service switches to it.", { default: "rolling", example: "blueGreen" })),
    active: Opt(OneOf(COLOURS, "Hold traffic on this colour (switch-back): the Service selects it at once; new releases still go to the other colour, without traffic, until this key is removed. Blue-green only.", { example: "blue", hint: "remove the key to let traffic follow the newest verified release" })),
    keepPrevious: Opt(Text("How long the colour that lost traffic stays up for an instant switch-back; the first update after that scales it to zero (removes its objects).", { pattern: PATTERNS.duration, what: "a duration such as 30m, 2h or 1d", default: "1h", example: "1h" })),
}, "How a new release replaces the running one.", { strategy: "blueGreen", keepPrevious: "1h" });

// ---- delivery:observability --------------------------------------------------------------------

const valuePath = (what: string) => Opt(Text(`Dotted path in the chart's values for ${what}.`, { pattern: PATTERNS.dotted, what: "a dotted path into the chart's values", example: `observability.${what.split(" ")[0]}` }));

export const ObservabilitySchema = Section({
    logs: Opt(Section({
        format: Opt(OneOf(["json", "text"] as const, "Log format given to the app (LOG_FORMAT). The level is delivery:app.logLevel.", { default: "json", example: "json" })),
        retentionDays: Opt(Whole("Control-plane log retention: the EKS CloudWatch log group, the AKS Log Analytics workspace, the GKE project's _Default Cloud Logging bucket.", { minimum: 1, maximum: 3653, xDefault: "7 in development, 30 in staging, 90 in production", example: 90 })),
    }, "Logs.", { format: "json", retentionDays: 90 })),
    metrics: Opt(Section({
        enabled: Opt(Flag("Metrics scraped from the app (prometheus.io/* pod annotations on the bundled chart).", { default: true })),
        path: Opt(Text("Metrics path.", { pattern: PATTERNS.urlPath, what: "a URL path starting with /", default: "/metrics", example: "/metrics" })),
        serviceMonitor: Opt(Flag("A Prometheus Operator ServiceMonitor for the app's Service (the cluster must have the operator's CRDs).", { default: false })),
        interval: Opt(Text("Scrape interval of the ServiceMonitor.", { pattern: "^[1-9]\\d*(s|m)$", what: "an interval such as 30s or 1m", default: "30s", example: "30s" })),
    }, "Metrics.", { enabled: true, serviceMonitor: true })),
    tracing: Opt(Section({
        endpoint: Opt(Text("OTLP endpoint traces go to (OTEL_EXPORTER_OTLP_ENDPOINT); unset: no tracing.", { pattern: "^https?:\\/\\/[^\\s]+$", what: "an http(s) URL", example: "http://otel-collector.observability:4318" })),
        samplePercent: Opt(Whole("Share of traces sampled, percent (OTEL_TRACES_SAMPLER_ARG = percent / 100).", { minimum: 0, maximum: 100, xDefault: "100 in development, 10 elsewhere", example: 10 })),
    }, "Tracing (OpenTelemetry).", { endpoint: "http://otel-collector.observability:4318", samplePercent: 10 })),
    values: Opt(Section({
        logLevel: valuePath("logLevel (the log level)"),
        logFormat: valuePath("logFormat (the log format)"),
        metricsEnabled: valuePath("metricsEnabled (metrics on or off)"),
        tracingEndpoint: valuePath("tracingEndpoint (the OTLP endpoint)"),
        sampleRatio: valuePath("sampleRatio (the sampled share, 0–1)"),
    }, "Where a chart other than the bundled one takes these settings in its values (like chart.imageValues).", { logLevel: "connect.logLevel", tracingEndpoint: "connect.otel.endpoint" })),
}, "Logging, metrics and tracing per environment, passed to the app the same way for any chart.", { logs: { format: "json" }, metrics: { enabled: true } });

// ---- delivery:budget ---------------------------------------------------------------------------

export const BudgetSchema = Section({
    monthlyUsd: Whole("Monthly budget of this stack in US dollars.", { minimum: 1, maximum: 10000000, example: 2500 }),
    thresholds: Opt(List(Whole("Percent of the budget.", { minimum: 1, maximum: 1000, example: 80 }),
        "Alert thresholds in percent of the budget, on actual spend (and on the forecast at 100).", { default: [80, 100], example: [50, 80, 100], minItems: 1, unique: "threshold: one alert per threshold" })),
    recipients: List(Text("An email address.", { pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", what: "an email address", example: "platform@acme.example" }),
        "Who gets the alerts.", { example: ["platform@acme.example"], minItems: 1, unique: "address: one subscription per address" }),
    billingAccount: Opt(Text("GCP billing account the budget belongs to (required on gcp).", { pattern: "^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", what: "a billing account id like 012345-6789AB-CDEF01", example: "012345-6789AB-CDEF01" })),
}, "Monthly budget with alerts: an AWS Budget filtered by the stack's cost-allocation tag (activate the `stack` tag in the billing console), an Azure consumption budget on the resource group, a GCP billing budget on the project and the stack's label. `npm run plan` compares it with the estimate.", { monthlyUsd: 2500, recipients: ["platform@acme.example"] });

// ---- delivery:dns, delivery:tls ----------------------------------------------------------------

export const DnsSchema = Section({
    zone: Text("The environment's DNS zone; delivery:app.ingress.host must be inside it (the zone itself or a name under it).", { pattern: PATTERNS.hostname, what: "a DNS zone name such as dev.acme.example", example: "dev.acme.example", maxLength: 253 }),
    create: Opt(Flag("Create the zone in this stack (a Route 53 hosted zone, an Azure DNS zone or a Cloud DNS managed zone on the cluster's cloud); false: the records go into an existing zone.", { default: true })),
    zoneId: Opt(Text("The existing zone (with create: false): its Route 53 hosted zone id on aws, its Cloud DNS managed zone name on gcp; on azure the zone is found by name in dns.resourceGroup.", { pattern: "^[A-Za-z0-9][-A-Za-z0-9_]*$", what: "a hosted zone id or managed zone name", example: "Z0123456789ABCDEFGHIJ" })),
    resourceGroup: Opt(Text("Azure: resource group of the zone.", { xDefault: "the cluster's resource group", example: "rg-dns" })),
    project: Opt(Text("GCP: project of the zone.", { pattern: PATTERNS.gcpProject, what: "a GCP project id", xDefault: "the cluster's project", example: "acme-dns-123" })),
    externalDns: Opt(Section({
        install: Opt(Flag("Install external-dns, which writes the Ingress's records into the zone through an identity that may change this zone only.", { default: true })),
        chartVersion: Opt(Text("external-dns chart version.", { pattern: PATTERNS.exactVersion, what: "an exact chart version", default: "1.15.0", example: "1.15.0" })),
        namespace: Opt(Text("external-dns namespace.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", default: "external-dns", example: "external-dns" })),
        policy: Opt(OneOf(["sync", "upsert-only"] as const, "sync also deletes the records it owns when their Ingress goes; upsert-only never deletes.", { xDefault: "upsert-only in production, sync elsewhere", example: "upsert-only" })),
    }, "external-dns.", { install: true, chartVersion: "1.15.0" })),
}, "The environment's DNS zone (on the cluster's cloud: Route 53, Azure DNS, Cloud DNS) and external-dns writing the app's records into it. Needs a cluster this stack creates (aws, azure, gcp): on an existing or borrowed cluster the cluster's owners run DNS.", { zone: "dev.acme.example" });

export const ACME_DIRECTORIES = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export const TlsSchema = Section({
    acme: Opt(OneOf(["staging", "production"] as const, "The Let's Encrypt directory of the ClusterIssuer: staging (untrusted certificates, generous rate limits) or production.", { xDefault: "production in production, staging elsewhere", example: "production" })),
    email: Text("ACME account email (expiry and policy notices).", { pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", what: "an email address", example: "platform@acme.example" }),
    issuer: Opt(Text("Name of the ClusterIssuer the app's Ingress asks for its certificate.", { pattern: PATTERNS.dnsLabel, what: "a DNS label", xDefault: "letsencrypt-<acme>", example: "letsencrypt-production" })),
    certManager: Opt(Section({
        install: Opt(Flag("Install cert-manager (with its CRDs).", { default: true })),
        chartVersion: Opt(Text("cert-manager chart version.", { pattern: PATTERNS.chartSemver, what: "an exact chart version", default: "v1.16.2", example: "v1.16.2" })),
        namespace: Opt(Text("cert-manager namespace.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", default: "cert-manager", example: "cert-manager" })),
    }, "cert-manager.", { install: true, chartVersion: "v1.16.2" })),
}, "Certificates for the app's Ingress: cert-manager and an ACME ClusterIssuer answering DNS-01 challenges in delivery:dns.zone through the zone's identity; the Ingress asks for it (cert-manager.io/cluster-issuer). Needs delivery:dns and delivery:app.ingress.tls.", { email: "platform@acme.example" });

// ---- delivery:secrets --------------------------------------------------------------------------

export const SECRET_PROVIDERS = ["aws", "azure", "gcp", "vault", "ibm"] as const;
const storeName = Opt(Text("SecretStore name, referenced by declared secrets.", { pattern: PATTERNS.dnsLabel, what: "a DNS label", xDefault: "the provider name", example: "aws" }));

export const STORE_SCHEMAS = {
    aws: Section({
        provider: Type.Literal("aws"),
        name: storeName,
        region: Text("AWS region of the secrets.", { pattern: "^[a-z]{2}(-[a-z]+)+-\\d$", what: "an AWS region", example: "eu-west-1" }),
        service: Opt(OneOf(["SecretsManager", "ParameterStore"] as const, "AWS service.", { default: "SecretsManager", example: "SecretsManager" })),
        prefix: Opt(Text("Secret-name prefix this environment may read (inside <env>/<app>/).", { pattern: "^[A-Za-z0-9_.-]+(\\/[A-Za-z0-9_.-]+)*\\/$", what: "a path prefix ending in /", xDefault: "<environment>/<app>/", example: "production/storefront/" })),
        kmsKeyArn: Opt(Text("Customer-managed KMS key the secrets are encrypted with (adds kms:Decrypt).", { pattern: "^arn:aws[a-z-]*:kms:", what: "a KMS key ARN", example: "arn:aws:kms:eu-west-1:123456789012:key/…" })),
        roleArn: Opt(Text("An existing IAM role for the operator (required on clusters without AWS OIDC wiring here).", { pattern: "^arn:aws[a-z-]*:iam::\\d{12}:role\\/", what: "an IAM role ARN", example: "arn:aws:iam::123456789012:role/eso-prod" })),
    }, "AWS Secrets Manager or Parameter Store.", { provider: "aws", region: "eu-west-1" }),
    azure: Section({
        provider: Type.Literal("azure"),
        name: storeName,
        vaultUrl: Opt(Text("Key Vault URL of an existing vault; without it the program creates one per environment.", { pattern: "^https:\\/\\/[a-z0-9-]+\\.vault\\.azure\\.net\\/?$", what: "a Key Vault URL", example: "https://kv-storefront-prod.vault.azure.net/" })),
        resourceGroup: Opt(Text("Resource group for the vault and identity.", { xDefault: "the cluster's resource group", example: "rg-delivery-prod" })),
        location: Opt(Text("Location of the vault.", { xDefault: "the cluster's region", example: "westeurope" })),
        clientId: Opt(Text("Client id of an existing user-assigned identity (skips the identity wiring).", { example: "11111111-2222-3333-4444-555555555555" })),
        tenantId: Opt(Text("Entra ID tenant; needed with an existing identity.", { example: "11111111-2222-3333-4444-555555555555" })),
    }, "Azure Key Vault.", { provider: "azure" }),
    gcp: Section({
        provider: Type.Literal("gcp"),
        name: storeName,
        project: Opt(Text("Project holding the secrets (required when the cluster is not a GKE cluster created here).", { pattern: PATTERNS.gcpProject, what: "a GCP project id", xDefault: "the cluster's project", example: "acme-prod-123" })),
        prefix: Opt(Text("Secret-id prefix this environment may read.", { pattern: "^[A-Za-z0-9_-]+$", what: "a secret-id prefix", xDefault: "<env short name>-<app>-", example: "prod-storefront-" })),
        serviceAccountEmail: Opt(Text("An existing Google service account (skips creating one).", { pattern: "^[^@\\s]+@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com$", what: "a service account email", example: "eso@acme-prod-123.iam.gserviceaccount.com" })),
    }, "GCP Secret Manager.", { provider: "gcp" }),
    vault: Section({
        provider: Type.Literal("vault"),
        name: storeName,
        server: Text("Vault address.", { pattern: PATTERNS.https, what: "an https URL", example: "https://vault.acme.example:8200" }),
        mount: Opt(Text("KV v2 mount of this environment.", { pattern: "^[a-z0-9][-a-z0-9_]*$", what: "a mount path", xDefault: "kv-<env short name>", example: "kv-prod" })),
        existingMount: Opt(Flag("Use an existing mount instead of creating it.", { default: false })),
        path: Opt(Text("Path inside the mount the app may read.", { pattern: "^[a-z0-9][-a-z0-9_/]*$", what: "a path inside the mount", xDefault: "the app name", example: "storefront" })),
        authMount: Opt(Text("Kubernetes auth mount for this cluster and environment.", { pattern: "^[a-z0-9][-a-z0-9_]*$", what: "an auth mount path", xDefault: "kubernetes-<env short name>", example: "kubernetes-prod" })),
        kubernetesHost: Opt(Text("API server address Vault uses to review tokens.", { pattern: PATTERNS.https, what: "an https URL", xDefault: "the cluster's endpoint", example: "https://api.cluster.acme.example:6443" })),
        role: Opt(Text("An existing Kubernetes auth role managed outside this program: the program then creates no Vault-side objects.", { pattern: "^[a-z0-9][-a-z0-9_.]*$", what: "a Vault role name", example: "storefront-prod" })),
        caBundle: Opt(Text("PEM CA certificate(s) that signed the Vault server's certificate.", {
            pattern: "^\\s*(-----BEGIN CERTIFICATE-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END CERTIFICATE-----\\s*)+$", what: "PEM CA certificates", example: "-----BEGIN CERTIFICATE-----\\n…\\n-----END CERTIFICATE-----",
        })),
    }, "HashiCorp Vault (KV v2, Kubernetes auth).", { provider: "vault", server: "https://vault.acme.example:8200" }),
    ibm: Section({
        provider: Type.Literal("ibm"),
        name: storeName,
        serviceUrl: Text("Secrets Manager instance URL.", { pattern: "^https:\\/\\/[a-z0-9-]+\\.[a-z0-9-]+\\.secrets-manager\\.appdomain\\.cloud$", what: "a Secrets Manager instance URL", example: "https://1a2b3c4d.eu-de.secrets-manager.appdomain.cloud" }),
        auth: Opt(OneOf(["apiKey", "trustedProfile"] as const, "apiKey (delivery:ibmApiKey or apiKeySecret) or trustedProfile.", { default: "apiKey", example: "trustedProfile" })),
        apiKeySecret: Opt(Section({
            name: Text("Kubernetes secret name.", { pattern: PATTERNS.dnsLabel, what: "a secret name", example: "ibm-sm-api-key" }),
            key: Opt(Text("Key in the secret.", { default: "apikey", example: "apikey" })),
        }, "Existing Kubernetes secret holding the API key (instead of delivery:ibmApiKey).", { name: "ibm-sm-api-key", key: "apikey" })),
        profile: Opt(Text("Trusted profile id (required with auth: trustedProfile).", { pattern: "^Profile-[0-9a-f-]+$", what: "a trusted profile id", example: "Profile-0f6b1f3e-…" })),
    }, "IBM Cloud Secrets Manager.", { provider: "ibm", serviceUrl: "https://1a2b3c4d.eu-de.secrets-manager.appdomain.cloud" }),
} as const;

/** The fields every store shares, read before its provider is known. */
export const StoreCommon = Section({
    provider: OneOf(SECRET_PROVIDERS, "Secret store provider.", { example: "aws" }),
    name: storeName,
}, "A secret store.", { provider: "aws", region: "eu-west-1" });

export const StoreSchema = Type.Union(Object.values(STORE_SCHEMAS), {
    type: "object",
    description: "A secret store (External Secrets Operator SecretStore) with its cloud-side identity.",
    examples: [{ provider: "aws", region: "eu-west-1" }],
    // Editors and Ajv pick the branch by provider and report only that branch's problems.
    discriminator: { propertyName: "provider" },
});

export const DeclaredSecretSchema = Section({
    name: Text("The Kubernetes secret is <app>-<name>; the app loads it with envFrom.", { pattern: PATTERNS.dnsLabel, what: "a DNS label", example: "database" }),
    store: Opt(Text("Store (by name) the value comes from.", { xDefault: "the first store", example: "aws" })),
    remoteKey: Text("Key in the store, relative to the environment's prefix/path.", { pattern: "^[A-Za-z0-9][A-Za-z0-9_./-]*$", what: "a key without a leading slash", example: "database" }),
    property: Opt(Text("One property of a JSON secret, loaded under envVar; without it every property is loaded.", { example: "password" })),
    envVar: Opt(Text("Environment variable name.", { pattern: "^[A-Z_][A-Z0-9_]*$", what: "an environment variable name", xDefault: "the property name upper-cased", example: "DATABASE_PASSWORD" })),
}, "A secret the app reads from a store.", { name: "database", remoteKey: "database" });

export const SecretsSchema = Section({
    stores: Opt(List(StoreSchema, "Secret stores.", { default: [], example: [{ provider: "aws", region: "eu-west-1" }] })),
    secrets: Opt(List(DeclaredSecretSchema, "Secrets the app reads (each name once: it names the Kubernetes secret; each environment variable once).", { default: [], example: [{ name: "database", remoteKey: "database" }] })),
    refreshInterval: Opt(Text("How often External Secrets refreshes.", { pattern: "^(\\d+h)?(\\d+m)?(\\d+s)?$", what: "a duration like 1h or 15m", default: "1h", example: "1h" })),
    operator: Opt(Section({
        install: Opt(Flag("Install the External Secrets Operator.", { xDefault: "true when a store is configured" })),
        chartVersion: Opt(Text("Operator chart version.", { pattern: PATTERNS.exactVersion, what: "an exact chart version", default: "2.0.1", example: "2.0.1" })),
        namespace: Opt(Text("Operator namespace.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", default: "external-secrets", example: "external-secrets" })),
    }, "The External Secrets Operator.", { install: true, chartVersion: "2.0.1" })),
    clusterStore: Opt(Section({
        store: Text("The store (by name) offered cluster-wide.", { example: "vault" }),
        namespaces: List(Text("A namespace that may use it.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", example: "storefront-prod" }),
            "The namespaces that may use the ClusterSecretStore (never open to all).", { example: ["storefront-prod"], minItems: 1, unique: "namespace: a namespace is allowed once" }),
    }, "A ClusterSecretStore, narrowed to the listed namespaces.", { store: "vault", namespaces: ["storefront-prod"] })),
    sealedSecrets: Opt(Section({
        enabled: Opt(Flag("Install the Sealed Secrets controller.", { default: false })),
        chartVersion: Opt(Text("Controller chart version.", { pattern: PATTERNS.exactVersion, what: "an exact chart version", default: "2.17.2", example: "2.17.2" })),
        namespace: Opt(Text("Controller namespace.", { pattern: PATTERNS.dnsLabel, what: "a namespace name", default: "kube-system", example: "kube-system" })),
    }, "Sealed Secrets.", { enabled: true })),
    serviceAccount: Opt(Text("Service account the stores authenticate as (never default).", { pattern: PATTERNS.dnsLabel, what: "a service account name", xDefault: "<app>-secrets", example: "storefront-secrets" })),
}, "Secret stores and the app's secrets.", { stores: [{ provider: "aws", region: "eu-west-1" }] });

// ---- the namespace -----------------------------------------------------------------------------

/** A key whose value must be a Pulumi secret: in the stack file it is `{ secure: <ciphertext> }`. */
function SecretValue(description: string) {
    return Type.Unsafe<string>({ description, "x-secret": true, examples: ["pulumi config set --secret"] });
}

export const ENVIRONMENT_NAMES = ["development", "staging", "production", "dev", "stage", "prod"] as const;

/** Every top-level `delivery:*` key (without the namespace). */
export const DeliverySchema = Section({
    environment: Opt(OneOf(ENVIRONMENT_NAMES, "The environment; never less strict than the stack's name.", { xDefault: "from the stack name (dev, staging, prod or their long forms)", example: "production" })),
    cluster: ClusterSchema,
    app: AppSchema,
    namespace: Opt(NamespaceSchema),
    chart: Opt(ChartSchema),
    valuesFiles: Opt(ValuesFilesSchema),
    values: Opt(ValuesSchema),
    helm: Opt(HelmSchema),
    release: Opt(ReleaseSchema),
    promotion: Opt(PromotionSchema),
    pin: Opt(PinSchema),
    freeze: Opt(FreezeSchema),
    verification: Opt(VerificationSchema),
    rollout: Opt(RolloutSchema),
    override: Opt(OverrideSchema),
    secrets: Opt(SecretsSchema),
    budget: Opt(BudgetSchema),
    observability: Opt(ObservabilitySchema),
    dns: Opt(DnsSchema),
    tls: Opt(TlsSchema),
    kubeconfig: Opt(SecretValue("The kubeconfig of an existing cluster (secret).")),
    ibmApiKey: Opt(SecretValue("IBM Secrets Manager API key (secret), for an IBM store with apiKey auth and no apiKeySecret.")),
    vaultToken: Opt(SecretValue("Vault token (secret); otherwise the provider reads VAULT_TOKEN.")),
}, "The delivery program's configuration.", { app: { name: "storefront", image: "ghcr.io/acme/storefront", replicas: 3 } });

export type DeliveryInput = Static<typeof DeliverySchema>;

/**
 * A section as the program hands it to components: every key present (its default applied), all
 * read-only, except the keys in `Absent`, which stay optional (no default: "not set" means something).
 */
export type Resolved<T, Absent extends keyof T = never> = T extends readonly (infer U)[]
    ? readonly Resolved<U>[]
    : T extends object
        ? { readonly [K in Exclude<keyof T, Absent>]-?: Resolved<Exclude<T[K], undefined>> } & { readonly [K in Absent]?: Resolved<Exclude<T[K], undefined>> }
        : T;

/**
 * The namespaces of the providers the program uses (its @pulumi/* packages): their keys
 * (`aws:region`, `kubernetes:kubeconfig`) pass to the providers. A key of any other namespace is
 * read by nothing: a typo of the project's namespace, or another project's file.
 */
export const PROVIDER_NAMESPACES = ["aws", "azure-native", "gcp", "kubernetes", "vault", "pulumi"] as const;

/** Keys of the project namespace this program reads; anything else is a typo. */
export const KNOWN_KEYS = Object.keys(DeliverySchema.properties) as (keyof typeof DeliverySchema.properties)[];
/** Keys whose value must be a Pulumi secret (`pulumi config set --secret`). */
export const SECRET_KEYS = KNOWN_KEYS.filter((k) => (DeliverySchema.properties[k] as { "x-secret"?: boolean })["x-secret"] === true);

/**
 * The typed configuration of one stack. Produced once by `parseConfig` / `loadConfig`;
 * components receive these plain objects and never read `pulumi.Config` themselves.
 */
import { Environment } from "./environment";
import { SecretsConfig } from "./secrets";

import { CLUSTER_PROVIDERS, OVERRIDABLE_GATES } from "./schema";

export { CLUSTER_PROVIDERS, OVERRIDABLE_GATES };
export type ClusterProvider = typeof CLUSTER_PROVIDERS[number];

export interface NodePoolConfig {
    /** Autoscaling floor. */
    readonly min: number;
    /** Autoscaling ceiling. */
    readonly max: number;
    /** Instance type / VM size / machine type. @default per cloud, see DEFAULT_NODE_SIZE */
    readonly size: string;
    /** @default 50 */
    readonly diskGiB: number;
}

export interface ClusterConfig {
    readonly provider: ClusterProvider;
    /** @default `delivery-<env>` */
    readonly name: string;
    /** Cloud region (aws, azure, gcp). */
    readonly region: string;
    /** Zones the nodes spread over (AWS AZ names, Azure zone numbers, GCP zone names). */
    readonly zones: readonly string[];
    /** Kubernetes minor version, e.g. "1.31". @default DEFAULT_KUBERNETES_VERSION */
    readonly version: string;
    readonly nodes: NodePoolConfig;
    /** VPC / VNet address space. @default "10.0.0.0/16" */
    readonly networkCidr: string;
    /** One NAT gateway per zone (EKS), so losing a zone does not cut the others' egress. @default true in production */
    readonly natPerZone: boolean;
    /** IAM principals (role/user ARNs) given cluster-admin through EKS access entries; the deployer is always added. */
    readonly adminArns: readonly string[];
    /** API endpoint reachable only from inside the network. @default false */
    readonly privateEndpoint: boolean;
    /** CIDRs allowed to reach a public API endpoint. @default [] (everyone: policy blocks this in prod) */
    readonly allowedCidrs: readonly string[];
    /** Encrypt Kubernetes secrets with a KMS key created by the program (or `kmsKeyId`). @default true */
    readonly kmsEncryption: boolean;
    /** An existing KMS key (ARN / Key Vault key id / Cloud KMS key name) instead of a new one. */
    readonly kmsKeyId?: string;
    /** Control-plane audit and API logging. @default true */
    readonly logging: boolean;
    /** Automatic node and control-plane patch upgrades. @default true */
    readonly autoUpgrade: boolean;
    /** `protect` the cluster against deletion. @default true in production, false elsewhere */
    readonly protect: boolean;
    /** GCP project (gcp). */
    readonly project?: string;
    /** Existing resource group (azure). @default a new one named after the cluster */
    readonly resourceGroup?: string;
    /** kubeconfig context (existing). */
    readonly context?: string;
    /** kubeconfig file path (existing); the secret key `delivery:kubeconfig` takes precedence. */
    readonly kubeconfigPath?: string;
    /** OIDC issuer URL of an existing cluster, for workload identity. */
    readonly oidcIssuer?: string;
    /** IAM OIDC provider ARN of an existing EKS cluster. */
    readonly oidcProviderArn?: string;
    /** Stack whose cluster this stack reuses (stack), e.g. `organization/delivery/dev`. */
    readonly stack?: string;
}

export interface ResourceAmounts {
    readonly cpu: string;
    readonly memory: string;
}

export interface AppConfig {
    /** DNS-label name of the application; names the release, service account and labels. */
    readonly name: string;
    /** Image repository without tag or digest; the release supplies those. */
    readonly image: string;
    /** @default 8080 */
    readonly port: number;
    readonly replicas: number;
    readonly resources: { readonly requests: ResourceAmounts; readonly limits: ResourceAmounts };
    readonly autoscaling: { readonly enabled: boolean; readonly min: number; readonly max: number; readonly cpuTarget: number };
    /** PodDisruptionBudget; disabled when `minAvailable` is 0. */
    readonly pdb: { readonly enabled: boolean; readonly minAvailable: number };
    readonly ingress: { readonly enabled: boolean; readonly host: string; readonly className: string; readonly tls: boolean };
    /** @default "info" */
    readonly logLevel: string;
    readonly features: Readonly<Record<string, boolean>>;
    /** Non-secret environment variables. */
    readonly env: Readonly<Record<string, string>>;
    /** Spread replicas across zones with a topology spread constraint. @default true in production */
    readonly spreadAcrossZones: boolean;
}

export interface NamespaceConfig {
    /** @default `<app>-<env short name>` */
    readonly name: string;
    /** Pod Security Admission level enforced on the namespace. @default "restricted" */
    readonly podSecurity: "privileged" | "baseline" | "restricted";
    readonly quota: { readonly cpu: string; readonly memory: string; readonly pods: number };
    readonly limits: { readonly defaultRequest: ResourceAmounts; readonly default: ResourceAmounts };
    /** Namespace of the ingress controller allowed to reach the app. @default "ingress-nginx" */
    readonly ingressNamespace: string;
}

/** Where the chart comes from: a directory in the project (the bundled chart by default), a Helm repository or an OCI registry. */
export type ChartSource =
    | { readonly kind: "path"; readonly path: string }
    | { readonly kind: "repository"; readonly repository: string; readonly name: string; readonly version: string; readonly caFile?: string }
    | { readonly kind: "oci"; readonly repository: string; readonly name: string; readonly version: string };

/** Dotted paths in the chart's values where the promoted release lands. */
export interface ImageValuePaths {
    readonly repository?: string;
    readonly tag?: string;
    readonly digest?: string;
}

export type ChartConfig = ChartSource & {
    /** The chart is charts/app, shipped with the program. */
    readonly bundled: boolean;
    /** Where the release lands in the chart's values. @default the bundled chart's image.* */
    readonly imageValues: ImageValuePaths;
    /** The typed `delivery:app.*` keys are given to the chart under the bundled chart's value names. @default true for the bundled chart */
    readonly appValues: boolean;
};

/** Per-stack chart values: files in order, then the inline map (merged last). */
export interface ValuesConfig {
    readonly files: readonly { readonly path: string; readonly values: Record<string, unknown> }[];
    readonly inline: Record<string, unknown>;
}

export interface HelmConfig {
    /** Wait for every rendered object to become ready; a rollout that does not fails the update. @default true */
    readonly wait: boolean;
    /** @default 600 */
    readonly timeoutSeconds: number;
}

/** A release: what promotion moves between stacks. */
export interface Release {
    /** Application version (semver). */
    readonly version: string;
    /** Image tag; defaults to the version. */
    readonly imageTag: string;
    /** Image digest (`sha256:…`), preferred over the tag when set. */
    readonly imageDigest?: string;
    /** Chart version; for the bundled chart, the version in its Chart.yaml. */
    readonly chartVersion?: string;
}

export interface PinConfig extends Release {
    /** Why the stack is pinned (incident, ticket). Required. */
    readonly reason: string;
    /** A release the upstream chain never ran, on purpose: recorded and reported by the policy pack. @default false */
    readonly emergency: boolean;
}

export interface PromotionConfig {
    /** Stack this one takes its release from; unset for development. */
    readonly from?: string;
    /** How long the upstream must have run a release (verified) before this stack takes it, in seconds. @default 0 */
    readonly soakSeconds: number;
}

/**
 * The in-cluster smoke check run after every rollout (a Kubernetes Job): the update fails, and the
 * stack's outputs never advertise the release, unless it exits 0.
 */
export interface SmokeConfig {
    /** An image with `sh` and `curl` (or one that implements its own check with `command`). */
    readonly image: string;
    /** The Service the check calls. @default the app's name (the bundled chart's Service) */
    readonly service: string;
    /** The Service port. @default 80 (the bundled chart's Service) */
    readonly port: number;
    /** @default "/" */
    readonly path: string;
    /** The HTTP status the check expects. @default 200 */
    readonly expectStatus: number;
    /** How long the Job may run before it fails, in seconds. @default 300 */
    readonly timeoutSeconds: number;
    /** The image's own check; it gets SMOKE_URL, SMOKE_EXPECT_STATUS and SMOKE_VERSION. @default a curl of SMOKE_URL */
    readonly command?: readonly string[];
}

export interface VerificationConfig {
    /** Absent: the rollout's readiness is the only verification. */
    readonly smoke?: SmokeConfig;
}

export type OverridableGate = typeof OVERRIDABLE_GATES[number];

/** The emergency override of soak or freeze windows (never of policy): recorded and reported by the pack. */
export interface GateOverride {
    readonly gates: readonly OverridableGate[];
    readonly reason: string;
}

/** A window in which this stack's release does not change (a pin, the emergency path, still may). */
export interface FreezeWindow {
    readonly from: string;
    readonly to: string;
    readonly reason: string;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly cluster: ClusterConfig;
    readonly app: AppConfig;
    readonly namespace: NamespaceConfig;
    readonly chart: ChartConfig;
    readonly values: ValuesConfig;
    readonly helm: HelmConfig;
    /** The release set in config (development; CI sets it on merge). */
    readonly release?: Release;
    readonly promotion: PromotionConfig;
    readonly pin?: PinConfig;
    readonly freeze: readonly FreezeWindow[];
    readonly verification: VerificationConfig;
    readonly override?: GateOverride;
    readonly secrets: SecretsConfig;
    /** The secret kubeconfig of an existing cluster (`delivery:kubeconfig`), if given. */
    readonly kubeconfig?: string;
    /** IBM Secrets Manager API key (`delivery:ibmApiKey`, secret), if given. */
    readonly ibmApiKey?: string;
    /** Vault token (`delivery:vaultToken`, secret); otherwise the provider reads VAULT_TOKEN. */
    readonly vaultToken?: string;
}

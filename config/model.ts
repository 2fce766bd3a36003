/**
 * The typed configuration of one stack. Produced once by `parseConfig` / `loadConfig`;
 * components receive these plain objects and never read `pulumi.Config` themselves.
 *
 * The types are inferred from config/schema.ts (`Static`, with `Resolved` for "defaults
 * applied"); only the shapes the program derives (flattened cluster keys, durations in seconds,
 * the chart source) are spelled out here.
 */
import { Static } from "@sinclair/typebox";
import { Environment } from "./environment";
import { SecretsConfig } from "./secrets";
import { DnsConfig, TlsConfig } from "./dns";
import {
    AppSchema, BudgetSchema, CLUSTER_PROVIDERS, ObservabilitySchema, ClusterSchema, FreezeSchema, HelmSchema, NamespaceSchema, OVERRIDABLE_GATES, OverrideSchema, PinSchema,
    ReleaseSchema, Resolved, RolloutSchema, SmokeSchema,
} from "./schema";

export { CLUSTER_PROVIDERS, OVERRIDABLE_GATES };
export type ClusterProvider = typeof CLUSTER_PROVIDERS[number];

/** The node pool (`delivery:cluster.nodes`). */
export type NodePoolConfig = Resolved<Static<typeof ClusterSchema.properties.nodes>>;

type ClusterInput = Static<typeof ClusterSchema>;
type Of<K extends keyof ClusterInput> = Resolved<NonNullable<ClusterInput[K]>>;

/**
 * `delivery:cluster` as components use it: the schema's keys, with network, endpoint and
 * encryption flattened (their descriptions are in config/schema.ts).
 */
export interface ClusterConfig {
    readonly provider: ClusterProvider;
    readonly name: Of<"name">;
    /** "" off the clouds. */
    readonly region: Of<"region">;
    readonly zones: Of<"zones">;
    readonly version: Of<"version">;
    readonly nodes: NodePoolConfig;
    /** cluster.network.cidr */
    readonly networkCidr: Of<"network">["cidr"];
    /** cluster.network.natPerZone */
    readonly natPerZone: Of<"network">["natPerZone"];
    readonly adminArns: Of<"adminArns">;
    /** cluster.endpoint.private */
    readonly privateEndpoint: Of<"endpoint">["private"];
    /** cluster.endpoint.allowedCidrs */
    readonly allowedCidrs: Of<"endpoint">["allowedCidrs"];
    /** cluster.encryption.kms */
    readonly kmsEncryption: Of<"encryption">["kms"];
    /** cluster.encryption.keyId */
    readonly kmsKeyId?: string;
    readonly logging: Of<"logging">;
    readonly autoUpgrade: Of<"autoUpgrade">;
    readonly protect: Of<"protect">;
    readonly project?: string;
    readonly resourceGroup?: string;
    readonly context?: string;
    readonly kubeconfigPath?: string;
    readonly oidcIssuer?: string;
    readonly oidcProviderArn?: string;
    readonly stack?: string;
}

export type ResourceAmounts = Resolved<Static<typeof AppSchema.properties.resources.properties.requests>>;

type AppInput = Static<typeof AppSchema>;

/** `delivery:app` with its defaults applied; `pdb.enabled` is derived (minAvailable > 0), `ingress.host` is "" when unset. */
export type AppConfig = Resolved<Omit<AppInput, "pdb" | "ingress">> & {
    readonly pdb: { readonly enabled: boolean; readonly minAvailable: number };
    readonly ingress: Resolved<NonNullable<AppInput["ingress"]>>;
};

/** `delivery:namespace` with its defaults applied. */
export type NamespaceConfig = Resolved<Static<typeof NamespaceSchema>>;

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

/** `delivery:helm` (the retired `atomic` is refused, never passed on). */
export type HelmConfig = Resolved<Omit<Static<typeof HelmSchema>, "atomic">>;

/** A release: what promotion moves between stacks (`delivery:release`, and the fields of a pin). */
export type Release = Resolved<Static<typeof ReleaseSchema>, "imageDigest" | "chartVersion">;

/** `delivery:pin`. */
export type PinConfig = Resolved<Static<typeof PinSchema>, "imageDigest" | "chartVersion">;

export interface PromotionConfig {
    /** Stack this one takes its release from; unset for development. */
    readonly from?: string;
    /** promotion.soak in seconds. */
    readonly soakSeconds: number;
}

/** `delivery:verification.smoke` once enabled: its timeout in seconds. */
export type SmokeConfig = Resolved<Omit<Static<typeof SmokeSchema>, "enabled" | "timeout">, "command"> & {
    readonly timeoutSeconds: number;
};

export interface VerificationConfig {
    /** Absent: the rollout's readiness is the only verification. */
    readonly smoke?: SmokeConfig;
}

export type OverridableGate = typeof OVERRIDABLE_GATES[number];

/** `delivery:override`. */
export type GateOverride = Resolved<Static<typeof OverrideSchema>>;

type ObservabilityInput = Static<typeof ObservabilitySchema>;

/** `delivery:observability` with its defaults applied (the chart paths stay optional). */
export type ObservabilityConfig = Resolved<Omit<ObservabilityInput, "tracing" | "values">> & {
    readonly tracing: Resolved<NonNullable<ObservabilityInput["tracing"]>, "endpoint">;
    readonly values: NonNullable<ObservabilityInput["values"]>;
};

type RolloutInput = Static<typeof RolloutSchema>;

export type RolloutStrategy = NonNullable<RolloutInput["strategy"]>;
export type Colour = NonNullable<RolloutInput["active"]>;

/** `delivery:rollout`: keepPrevious in seconds; `active` only when the stack holds traffic on a colour. */
export interface RolloutConfig {
    readonly strategy: RolloutStrategy;
    readonly active?: Colour;
    readonly keepPreviousSeconds: number;
}

/** `delivery:budget`. */
export type BudgetConfig = Resolved<Static<typeof BudgetSchema>, "billingAccount">;

/** One window of `delivery:freeze`. */
export type FreezeWindow = Resolved<Static<typeof FreezeSchema.items>>;

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
    readonly rollout: RolloutConfig;
    readonly override?: GateOverride;
    readonly secrets: SecretsConfig;
    readonly observability: ObservabilityConfig;
    /** Absent: no budget (the policy pack reports it). */
    readonly budget?: BudgetConfig;
    /** Absent: no zone or external-dns (`delivery:dns`). */
    readonly dns?: DnsConfig;
    /** Absent: no cert-manager or ClusterIssuer (`delivery:tls`). */
    readonly tls?: TlsConfig;
    /** The secret kubeconfig of an existing cluster (`delivery:kubeconfig`), if given. */
    readonly kubeconfig?: string;
    /** IBM Secrets Manager API key (`delivery:ibmApiKey`, secret), if given. */
    readonly ibmApiKey?: string;
    /** Vault token (`delivery:vaultToken`, secret); otherwise the provider reads VAULT_TOKEN. */
    readonly vaultToken?: string;
}

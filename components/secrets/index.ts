import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import type * as helmv3 from "@pulumi/kubernetes/helm/v3";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../config/environment";
import {
    ESO_CHART_REPOSITORY, SEALED_SECRETS_CHART_REPOSITORY, SecretsConfig, StoreConfig,
} from "../../config/secrets";
import { ClusterIdentity } from "../cluster/types";
import { StoreContext, StoreWiring } from "./context";
import { clusterSecretStore, externalSecret, secretStore } from "./eso-types";

/**
 * helm.v3 (with @pulumi/kubernetes's YAML module behind it, ~60 ms to load) only where an operator
 * is installed: most stacks' secret stores need neither.
 */
const helmV3 = (): typeof import("@pulumi/kubernetes/helm/v3") => require("@pulumi/kubernetes/helm/v3");

export interface SecretStoresArgs {
    readonly secrets: SecretsConfig;
    readonly environment: Environment;
    readonly app: string;
    /** The application namespace: stores, service account and synced secrets live here. */
    readonly namespace: string;
    readonly identity: ClusterIdentity;
    readonly clusterName: pulumi.Output<string>;
    readonly k8sProvider: K8sProvider;
    readonly labels: Readonly<Record<string, string>>;
    readonly tags: Readonly<Record<string, string>>;
    readonly vaultToken?: string;
    readonly ibmApiKey?: string;
}

/** Each provider's module is loaded only when a store of that provider is configured. */
function build(ctx: StoreContext, store: StoreConfig): StoreWiring {
    switch (store.provider) {
        case "aws":
            return (require("./aws") as typeof import("./aws")).awsStore(ctx, store);
        case "azure":
            return (require("./azure") as typeof import("./azure")).azureStore(ctx, store);
        case "gcp":
            return (require("./gcp") as typeof import("./gcp")).gcpStore(ctx, store);
        case "vault":
            return (require("./vault") as typeof import("./vault")).vaultStore(ctx, store);
        case "ibm":
            return (require("./ibm") as typeof import("./ibm")).ibmStore(ctx, store);
    }
}

/**
 * The secret-store layer of one environment: the External Secrets operator (own namespace,
 * pinned chart), one SecretStore per configured provider with its cloud-side identity, a
 * ClusterSecretStore only where asked (narrowed to listed namespaces), an ExternalSecret per
 * declared secret, and the Sealed Secrets controller when enabled.
 */
export class SecretStores extends pulumi.ComponentResource {
    /** Kubernetes secrets the app should load (`<app>-<name>`), in declaration order. */
    readonly secretNames: string[];
    readonly storeNames: string[];

    constructor(name: string, args: SecretStoresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:secrets:SecretStores", name, {}, opts);
        const s = args.secrets;
        const k = { parent: this, provider: args.k8sProvider };

        let operator: helmv3.Release | undefined;
        if (s.operator.install && s.stores.length > 0) {
            const helm = helmV3();
            const ns = new corev1.Namespace(`${name}-eso-ns`, {
                metadata: { name: s.operator.namespace, labels: { ...args.labels, "pod-security.kubernetes.io/enforce": "restricted" } },
            }, k);
            operator = new helm.Release(`${name}-eso`, {
                name: "external-secrets",
                chart: "external-secrets",
                version: s.operator.chartVersion,
                repositoryOpts: { repo: ESO_CHART_REPOSITORY },
                namespace: ns.metadata.name,
                atomic: true,
                cleanupOnFail: true,
                values: { installCRDs: true, replicaCount: args.environment === "production" ? 2 : 1, podDisruptionBudget: { enabled: args.environment === "production" } },
            }, k);
        }

        const ctx: StoreContext = {
            name, parent: this, k8sProvider: args.k8sProvider, environment: args.environment, app: args.app, namespace: args.namespace,
            serviceAccount: s.serviceAccount, identity: args.identity, clusterName: args.clusterName, tags: args.tags,
            vaultToken: args.vaultToken, ibmApiKey: args.ibmApiKey, operator,
        };
        const wirings = new Map<string, StoreWiring>(s.stores.map((store) => [store.name, build(ctx, store)]));

        const annotations = Object.assign({}, ...[...wirings.values()].map((w) => w.annotations)) as Record<string, pulumi.Input<string>>;
        const saLabels = Object.assign({ ...args.labels }, ...[...wirings.values()].map((w) => w.labels ?? {})) as Record<string, string>;
        const sa = s.stores.length === 0 ? undefined : new corev1.ServiceAccount(`${name}-sa`, {
            metadata: { name: s.serviceAccount, namespace: args.namespace, labels: saLabels, annotations },
            automountServiceAccountToken: false,
        }, k);

        const after = (w: StoreWiring) => [...w.dependsOn, ...(operator ? [operator] : []), ...(sa ? [sa] : [])];
        for (const store of s.stores) {
            const w = wirings.get(store.name)!;
            secretStore(`${name}-${store.name}-store`, {
                metadata: { name: store.name, namespace: args.namespace, labels: { ...args.labels } },
                spec: { provider: w.provider },
            }, { ...k, dependsOn: after(w) });
        }

        if (s.clusterStore) {
            const w = wirings.get(s.clusterStore.store)!;
            const provider = withServiceAccountNamespace(w.provider, args.namespace);
            clusterSecretStore(`${name}-cluster-store`, {
                metadata: { name: `${args.app}-${s.clusterStore.store}`, labels: { ...args.labels } },
                spec: { provider, conditions: [{ namespaces: [...s.clusterStore.namespaces] }] },
            }, { ...k, dependsOn: after(w) });
        }

        this.secretNames = s.secrets.map((d) => `${args.app}-${d.name}`);
        for (const d of s.secrets) {
            const w = wirings.get(d.store)!;
            const key = w.remoteKey(d.remoteKey);
            externalSecret(`${name}-${d.name}`, {
                metadata: { name: `${args.app}-${d.name}`, namespace: args.namespace, labels: { ...args.labels } },
                spec: {
                    refreshInterval: s.refreshInterval,
                    secretStoreRef: { name: d.store, kind: "SecretStore" },
                    target: { name: `${args.app}-${d.name}`, creationPolicy: "Owner", deletionPolicy: "Retain" },
                    ...(d.property !== undefined
                        ? { data: [{ secretKey: d.envVar ?? d.property.toUpperCase().replace(/[^A-Z0-9]/g, "_"), remoteRef: { key, property: d.property } }] }
                        : { dataFrom: [{ extract: { key } }] }),
                },
            }, { ...k, dependsOn: after(w) });
        }

        if (s.sealedSecrets.enabled) {
            new (helmV3().Release)(`${name}-sealed-secrets`, {
                name: "sealed-secrets",
                chart: "sealed-secrets",
                version: s.sealedSecrets.chartVersion,
                repositoryOpts: { repo: SEALED_SECRETS_CHART_REPOSITORY },
                namespace: s.sealedSecrets.namespace,
                atomic: true,
                cleanupOnFail: true,
                // kubeseal's default controller name, so `kubeseal` works without flags.
                values: { fullnameOverride: "sealed-secrets-controller" },
            }, k);
        }

        this.storeNames = s.stores.map((x) => x.name);
        this.registerOutputs({ secretNames: this.secretNames, storeNames: this.storeNames });
    }
}

/** A ClusterSecretStore's service-account reference must say which namespace it lives in. */
function withServiceAccountNamespace(provider: StoreWiring["provider"], namespace: string): StoreWiring["provider"] {
    const walk = (value: unknown, key = ""): unknown => {
        if (value === null || typeof value !== "object" || pulumi.Output.isInstance(value)) {
            return value;
        }
        if (Array.isArray(value)) {
            return value.map((v) => walk(v));
        }
        const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
        return key === "serviceAccountRef" ? { ...copy, namespace } : copy;
    };
    return walk(provider) as StoreWiring["provider"];
}

/**
 * The `delivery:secrets` section: which secret stores a stack uses, the External Secrets
 * operator and Sealed Secrets controller it installs, and the application's declared secrets.
 */
import { Environment, SHORT_NAMES, environmentFromAlias } from "./environment";
import { ConfigReader, exampleText, show } from "./reader";
import { Static } from "@sinclair/typebox";
import { DeclaredSecretSchema, Resolved, SECRET_PROVIDERS, STORE_SCHEMAS, SecretsSchema, StoreCommon } from "./schema";

export { SECRET_PROVIDERS };
export type SecretProvider = typeof SECRET_PROVIDERS[number];

/** External Secrets Operator chart; v0.17+ serves the external-secrets.io/v1 API used here. */
export const DEFAULT_ESO_CHART_VERSION = SecretsSchema.properties.operator.properties.chartVersion.default as string;
export const ESO_CHART_REPOSITORY = "https://charts.external-secrets.io";
export const DEFAULT_SEALED_SECRETS_CHART_VERSION = SecretsSchema.properties.sealedSecrets.properties.chartVersion.default as string;
export const SEALED_SECRETS_CHART_REPOSITORY = "https://bitnami-labs.github.io/sealed-secrets";
export const DEFAULT_REFRESH_INTERVAL = SecretsSchema.properties.refreshInterval.default as string;

type StoreInput<P extends SecretProvider> = Static<typeof STORE_SCHEMAS[P]>;

/** A store of each provider with its defaults applied; the keys without a default stay optional. */
export type AwsStoreConfig = Resolved<StoreInput<"aws">, "kmsKeyArn" | "roleArn">;
export type AzureStoreConfig = Resolved<StoreInput<"azure">, "vaultUrl" | "resourceGroup" | "location" | "clientId" | "tenantId">;
export type GcpStoreConfig = Resolved<StoreInput<"gcp">, "project" | "serviceAccountEmail">;
export type VaultStoreConfig = Resolved<StoreInput<"vault">, "kubernetesHost" | "role" | "caBundle">;
export type IbmStoreConfig = Resolved<StoreInput<"ibm">, "apiKeySecret" | "profile">;

export type StoreConfig = AwsStoreConfig | AzureStoreConfig | GcpStoreConfig | VaultStoreConfig | IbmStoreConfig;

/** A declared secret (`delivery:secrets.secrets[]`); `store` defaults to the first store. */
export type DeclaredSecret = Resolved<Static<typeof DeclaredSecretSchema>, "property" | "envVar">;

type SecretsInput = Static<typeof SecretsSchema>;

/** `delivery:secrets` with its defaults applied; a ClusterSecretStore only where asked. */
export type SecretsConfig = Resolved<Omit<SecretsInput, "stores" | "secrets">, "clusterStore"> & {
    readonly stores: readonly StoreConfig[];
    readonly secrets: readonly DeclaredSecret[];
};

/** The variable a declared secret with a property loads (envVar, or the property upper-cased, as the component names it). */
export function secretEnvVar(d: { readonly property?: string; readonly envVar?: string }): string | undefined {
    return d.envVar ?? d.property?.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Each declared secret names its own Kubernetes secret and its own variable: a repeat collides or silently wins. */
function checkDeclaredSecrets(r: ConfigReader, secrets: readonly { name: string; property?: string; envVar?: string }[]): void {
    const names = new Map<string, number>();
    const vars = new Map<string, number>();
    secrets.forEach((d, i) => {
        const j = names.get(d.name);
        if (d.name !== "" && j !== undefined) {
            r.issue(`secrets.secrets[${i}].name`, `repeats ${show(d.name)} (also secrets.secrets[${j}].name): each declared secret is its own Kubernetes secret <app>-<name>`, `${d.name}-2`);
        } else {
            names.set(d.name, i);
        }
        const v = secretEnvVar(d);
        const k = v === undefined ? undefined : vars.get(v);
        if (v !== undefined && k !== undefined) {
            r.issue(`secrets.secrets[${i}]${d.envVar !== undefined ? ".envVar" : ".property"}`, `loads ${v}, as secrets.secrets[${k}] does: the container would get the variable twice and the last one silently wins`, "a different envVar");
        } else if (v !== undefined) {
            vars.set(v, i);
        }
    });
}

const S = SecretsSchema.properties;
const D = DeclaredSecretSchema.properties;

export function readSecrets(
    r: ConfigReader, value: unknown, env: Environment, app: string, clusterProvider: string, hasAwsOidc: boolean,
): SecretsConfig {
    const short = SHORT_NAMES[env];
    const o = r.object("secrets", value, SecretsSchema);

    const rawStores = o.stores === undefined ? [] : Array.isArray(o.stores) ? o.stores : (r.issue("secrets.stores", `must be a list, got ${show(o.stores)}`, exampleText(S.stores.examples[0])), []);
    const stores = rawStores.map((s, i) => readStore(r, `secrets.stores[${i}]`, s, env, app, clusterProvider, hasAwsOidc));
    stores.forEach((s, i) => checkScope(r, `secrets.stores[${i}]`, s, env, app));
    const names = stores.map((s) => s.name);
    names.forEach((n, i) => {
        if (names.indexOf(n) !== i) {
            r.issue(`secrets.stores[${i}].name`, `repeats the store name "${n}"; give each store its own name`, `${n}-2`);
        }
    });

    const rawSecrets = o.secrets === undefined ? [] : Array.isArray(o.secrets) ? o.secrets : (r.issue("secrets.secrets", `must be a list, got ${show(o.secrets)}`, exampleText(S.secrets.examples[0])), []);
    const secrets = rawSecrets.map((s, i) => {
        const key = `secrets.secrets[${i}]`;
        const so = r.object(key, s, DeclaredSecretSchema);
        const store = r.string(`${key}.store`, so.store, D.store, { default: names[0] ?? "", example: names[0] ?? "aws" });
        if (stores.length === 0) {
            r.issue(key, "declares a secret but secrets.stores is empty", "stores: [{ provider: aws, region: eu-west-1 }]");
        } else if (!names.includes(store)) {
            r.issue(`${key}.store`, `names no configured store (stores: ${names.join(", ")}); got ${show(store)}`, names[0]);
        }
        return {
            name: r.string(`${key}.name`, so.name, D.name),
            store,
            remoteKey: r.string(`${key}.remoteKey`, so.remoteKey, D.remoteKey),
            property: r.string(`${key}.property`, so.property, D.property, { optional: true }),
            envVar: r.string(`${key}.envVar`, so.envVar, D.envVar, { optional: true }),
        };
    });
    checkDeclaredSecrets(r, secrets);

    const O = S.operator.properties;
    const X = S.sealedSecrets.properties;
    const op = r.object("secrets.operator", o.operator, S.operator);
    const ss = r.object("secrets.sealedSecrets", o.sealedSecrets, S.sealedSecrets);

    let clusterStore: SecretsConfig["clusterStore"];
    if (o.clusterStore !== undefined) {
        const cs = r.object("secrets.clusterStore", o.clusterStore, S.clusterStore);
        const store = r.string("secrets.clusterStore.store", cs.store, S.clusterStore.properties.store, { example: names[0] });
        if (!names.includes(store)) {
            r.issue("secrets.clusterStore.store", `names no configured store (stores: ${names.join(", ") || "none"}); got ${show(store)}`, names[0] ?? "vault");
        }
        const namespaces = r.stringList("secrets.clusterStore.namespaces", cs.namespaces, S.clusterStore.properties.namespaces, { default: [] });
        const platform = ["default", "kube-system", "kube-public", "kube-node-lease", "external-secrets"];
        namespaces.forEach((ns, i) => {
            const others = environmentsNamed(ns).filter((e) => e !== env);
            if (platform.includes(ns) || ns.startsWith("kube-")) {
                r.issue(`secrets.clusterStore.namespaces[${i}]`, `is ${show(ns)}, a namespace of the cluster or its platform: every pod there could read this environment's secrets`, `[${app}-${short}]`);
            } else if (others.length > 0) {
                r.issue(`secrets.clusterStore.namespaces[${i}]`, `is ${show(ns)}, a ${others.join("/")} namespace: it would read ${env} secrets`, `[${app}-${short}]`);
            }
        });
        if (namespaces.length === 0) {
            r.issue("secrets.clusterStore.namespaces", "must list the namespaces that may use the ClusterSecretStore (it is never left open to all)", "[storefront-prod]");
        }
        clusterStore = { store, namespaces };
    }

    return {
        stores,
        secrets,
        refreshInterval: r.string("secrets.refreshInterval", o.refreshInterval, S.refreshInterval),
        operator: {
            install: r.boolean("secrets.operator.install", op.install, O.install, { default: stores.length > 0 }),
            chartVersion: r.string("secrets.operator.chartVersion", op.chartVersion, O.chartVersion),
            namespace: r.string("secrets.operator.namespace", op.namespace, O.namespace),
        },
        clusterStore,
        sealedSecrets: {
            enabled: r.boolean("secrets.sealedSecrets.enabled", ss.enabled, X.enabled),
            chartVersion: r.string("secrets.sealedSecrets.chartVersion", ss.chartVersion, X.chartVersion),
            namespace: r.string("secrets.sealedSecrets.namespace", ss.namespace, X.namespace),
        },
        serviceAccount: (() => {
            const sa = r.string("secrets.serviceAccount", o.serviceAccount, S.serviceAccount, { default: `${app}-secrets`, example: `${app}-secrets` });
            if (sa === "default") {
                r.issue("secrets.serviceAccount", "is the namespace's default service account: every pod in the namespace would hold the store's cloud identity", `${app}-secrets`);
            }
            return sa;
        })(),
    };

    /** Words that name an environment in a store's prefix, path, mount or vault name. */
    function environmentsNamed(text: string): Environment[] {
        const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
        const named = new Set<Environment>();
        for (const w of words) {
            // The stack-name aliases, plus the abbreviations secret paths use.
            const e = environmentFromAlias(w) ?? ({ stg: "staging", prd: "production" } as Record<string, Environment>)[w];
            if (e) {
                named.add(e);
            }
        }
        return [...named];
    }

    /**
     * Each environment reads only its own secrets: a store's prefix, path or mount stays inside this
     * environment's and this app's space; one naming another environment, or so broad it covers
     * every app, would give this stack's identity access it must not have.
     */
    function checkScope(r: ConfigReader, key: string, s: StoreConfig, env: Environment, app: string): void {
        const other = (text: string | undefined) => (text ? environmentsNamed(text).filter((e) => e !== env) : []);
        const refuse = (field: string, value: string, why: string, example: string) =>
            r.issue(`${key}.${field}`, `is ${JSON.stringify(value)}, ${why}: each environment's identity reads only its own secrets`, example);
        switch (s.provider) {
            case "aws": {
                const T = STORE_SCHEMAS.aws.properties;
                const own = `${env}/${app}/`;
                if (s.prefix !== "" && !s.prefix.startsWith(own)) {
                    const o = other(s.prefix);
                    refuse("prefix", s.prefix, o.length > 0 ? `the ${o.join("/")} environment's secrets` : `outside ${own} (this environment's and this app's secrets)`, own);
                }
                // The role's name and path (after role/), never the account: it is the identity the operator takes.
                const role = s.roleArn?.split(":role/").pop();
                if (s.roleArn && role && other(role).length > 0) {
                    refuse("roleArn", s.roleArn, `a role of the ${other(role).join("/")} environment`, `arn:aws:iam::123456789012:role/eso-${app}-${SHORT_NAMES[env]}`);
                }
                break;
            }
            case "gcp": {
                const T = STORE_SCHEMAS.gcp.properties;
                const own = `${SHORT_NAMES[env]}-${app}-`;
                if (!s.prefix.startsWith(own)) {
                    const o = other(s.prefix);
                    refuse("prefix", s.prefix, o.length > 0 ? `the ${o.join("/")} environment's secrets` : `outside ${own}`, own);
                }
                if (s.serviceAccountEmail && other(s.serviceAccountEmail).length > 0) {
                    refuse("serviceAccountEmail", s.serviceAccountEmail, `a service account of the ${other(s.serviceAccountEmail).join("/")} environment`, `eso-${app}-${SHORT_NAMES[env]}@acme-${SHORT_NAMES[env]}-123.iam.gserviceaccount.com`);
                }
                break;
            }
            case "vault": {
                const T = STORE_SCHEMAS.vault.properties;
                const own: Record<string, string> = { mount: `kv-${SHORT_NAMES[env]}`, authMount: `kubernetes-${SHORT_NAMES[env]}`, role: `${app}-${SHORT_NAMES[env]}` };
                for (const [field, value] of [["mount", s.mount], ["authMount", s.authMount], ["role", s.role ?? ""]] as const) {
                    const o = other(value);
                    if (o.length > 0) {
                        refuse(field, value, `the ${o.join("/")} environment's`, own[field]);
                    }
                }
                if (s.path !== app && !s.path.startsWith(`${app}/`)) {
                    refuse("path", s.path, `not this app's path (${app} or ${app}/…)`, app);
                }
                break;
            }
            case "azure": {
                const T = STORE_SCHEMAS.azure.properties;
                const o = other(s.vaultUrl);
                if (s.vaultUrl && o.length > 0) {
                    refuse("vaultUrl", s.vaultUrl, `a Key Vault of the ${o.join("/")} environment`, `https://kv-${app}-${SHORT_NAMES[env]}.vault.azure.net/`);
                }
                break;
            }
            default:
                break;
        }
    }

    function readStore(r: ConfigReader, key: string, value: unknown, env: Environment, app: string, clusterProvider: string, hasAwsOidc: boolean): StoreConfig {
        // The provider picks the store's schema; its keys are checked against that one.
        const so = r.object(key, value, StoreCommon, { keys: false });
        const provider = r.string(`${key}.provider`, so.provider, StoreCommon.properties.provider) as SecretProvider;
        const name = r.string(`${key}.name`, so.name, StoreCommon.properties.name, { default: provider, example: provider });
        const known = (SECRET_PROVIDERS as readonly string[]).includes(provider);
        if (known && value !== null && typeof value === "object" && !Array.isArray(value)) {
            r.unknownKeys(key, so, Object.keys(STORE_SCHEMAS[provider].properties));
        }
        const existingCluster = clusterProvider === "existing";
        switch (provider) {
            case "aws": {
                const T = STORE_SCHEMAS.aws.properties;
                const roleArn = r.string(`${key}.roleArn`, so.roleArn, T.roleArn, { optional: true });
                const knownCluster = ["aws", "azure", "gcp", "existing", "stack"].includes(clusterProvider); // else cluster.provider is the root cause
                if (roleArn === undefined && knownCluster && !(clusterProvider === "aws" || clusterProvider === "stack" || hasAwsOidc)) {
                    r.issue(`${key}.roleArn`, `is required on ${existingCluster ? "an existing cluster without cluster.oidcProviderArn" : `a cluster of provider ${clusterProvider}`}: there is no AWS OIDC provider to trust`, "arn:aws:iam::123456789012:role/eso-prod");
                }
                return {
                    provider, name, roleArn,
                    region: r.string(`${key}.region`, so.region, T.region),
                    service: r.string(`${key}.service`, so.service, T.service) as AwsStoreConfig["service"],
                    prefix: r.string(`${key}.prefix`, so.prefix, T.prefix, { default: `${env}/${app}/`, example: `${env}/${app}/` }),
                    kmsKeyArn: r.string(`${key}.kmsKeyArn`, so.kmsKeyArn, T.kmsKeyArn, { optional: true }),
                };
            }
            case "azure": {
                const T = STORE_SCHEMAS.azure.properties;
                const cfg: AzureStoreConfig = {
                    provider, name,
                    vaultUrl: r.string(`${key}.vaultUrl`, so.vaultUrl, T.vaultUrl, { optional: true }),
                    resourceGroup: r.string(`${key}.resourceGroup`, so.resourceGroup, T.resourceGroup, { optional: true }),
                    location: r.string(`${key}.location`, so.location, T.location, { optional: true }),
                    clientId: r.string(`${key}.clientId`, so.clientId, T.clientId, { optional: true }),
                    tenantId: r.string(`${key}.tenantId`, so.tenantId, T.tenantId, { optional: true }),
                };
                if (clusterProvider !== "azure") {
                    if (cfg.clientId === undefined || cfg.tenantId === undefined || cfg.vaultUrl === undefined) {
                        r.issue(key, "on a cluster not created here as AKS, needs the existing identity: clientId, tenantId and vaultUrl", "{ provider: azure, vaultUrl: https://kv-app.vault.azure.net/, clientId: …, tenantId: … }");
                    }
                }
                return cfg;
            }
            case "gcp": {
                const T = STORE_SCHEMAS.gcp.properties;
                const cfg: GcpStoreConfig = {
                    provider, name,
                    project: r.string(`${key}.project`, so.project, T.project, { optional: true }),
                    prefix: r.string(`${key}.prefix`, so.prefix, T.prefix, { default: `${short}-${app}-`, example: `${short}-${app}-` }),
                    serviceAccountEmail: r.string(`${key}.serviceAccountEmail`, so.serviceAccountEmail, T.serviceAccountEmail, { optional: true }),
                };
                if (clusterProvider !== "gcp" && cfg.project === undefined) {
                    r.issue(`${key}.project`, "is required when the cluster is not a GKE cluster created here", "acme-prod-123");
                }
                return cfg;
            }
            case "vault": {
                const T = STORE_SCHEMAS.vault.properties;
                return {
                    provider, name,
                    server: r.string(`${key}.server`, so.server, T.server),
                    mount: r.string(`${key}.mount`, so.mount, T.mount, { default: `kv-${short}`, example: `kv-${short}` }),
                    existingMount: r.boolean(`${key}.existingMount`, so.existingMount, T.existingMount),
                    path: r.string(`${key}.path`, so.path, T.path, { default: app, example: app }),
                    authMount: r.string(`${key}.authMount`, so.authMount, T.authMount, { default: `kubernetes-${short}`, example: `kubernetes-${short}` }),
                    kubernetesHost: r.string(`${key}.kubernetesHost`, so.kubernetesHost, T.kubernetesHost, { optional: true }),
                    role: r.string(`${key}.role`, so.role, T.role, { optional: true, example: `${app}-${short}` }),
                    caBundle: r.string(`${key}.caBundle`, so.caBundle, T.caBundle, { optional: true }),
                };
            }
            case "ibm": {
                const T = STORE_SCHEMAS.ibm.properties;
                const auth = r.string(`${key}.auth`, so.auth, T.auth) as IbmStoreConfig["auth"];
                let apiKeySecret: IbmStoreConfig["apiKeySecret"];
                if (so.apiKeySecret !== undefined) {
                    const ks = r.object(`${key}.apiKeySecret`, so.apiKeySecret, T.apiKeySecret);
                    apiKeySecret = {
                        name: r.string(`${key}.apiKeySecret.name`, ks.name, T.apiKeySecret.properties.name),
                        key: r.string(`${key}.apiKeySecret.key`, ks.key, T.apiKeySecret.properties.key),
                    };
                }
                const profile = r.string(`${key}.profile`, so.profile, T.profile, { optional: true });
                if (auth === "trustedProfile" && profile === undefined) {
                    r.issue(`${key}.profile`, "is required with auth: trustedProfile", "Profile-0f6b1f3e-9c0a-4c7e-8e3e-1f2a3b4c5d6e");
                }
                return {
                    provider, name, auth, apiKeySecret, profile,
                    serviceUrl: r.string(`${key}.serviceUrl`, so.serviceUrl, T.serviceUrl),
                };
            }
            default:
                return { provider: "aws", name, region: "", service: "SecretsManager", prefix: "" };
        }
    }
}

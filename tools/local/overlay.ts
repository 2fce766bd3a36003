/**
 * What changes when a shipped stack runs against the local platform instead of its cloud.
 *
 * The local platform (toolchain/local-cluster.sh) is an API server with fake kubelets (kwok, three
 * zones), the External Secrets Operator's controller run out of cluster, kumo (AWS Secrets Manager
 * and STS) and, when built, a Vault dev server, with no cloud accounts and no internet. So:
 *  - the cluster: `existing`, through the local kubeconfig, instead of EKS/AKS/GKE;
 *  - the operator: not installed from its chart (charts on the internet); the controller of the
 *    same API version already runs against the cluster. Sealed Secrets is off (its chart and
 *    controller image are on the internet too);
 *  - cloud-side identities: not created (no IAM/Entra/GCP APIs); each store names an existing
 *    identity instead. For AWS that identity is real enough: the operator exchanges the service
 *    account's projected token for credentials with STS (kumo) and reads Secrets Manager (kumo);
 *  - Vault (when built): a second store is added to each stack in the existing-role mode, its
 *    Vault side set up the way a Vault team would (tools/local/stores.ts), so that Vault itself
 *    refuses one environment's identity another environment's path;
 *  - DNS and TLS (`delivery:dns`, `delivery:tls`): left out, as on any existing cluster (no cloud
 *    zone, no public ACME); the Ingress keeps its host and its TLS block;
 *  - the soak (`promotion.soak`, 2h on prod): off, since a rehearsal of the whole chain cannot wait
 *    hours between two stacks; the end-to-end suite's soak case sets a short one of its own and
 *    shows prod refusing, then taking, staging's release;
 *  - nothing else. App, namespace, release, rollout, verification, freeze and pin settings are the
 *    shipped ones.
 */
import { Environment, SHORT_NAMES, environmentFromStackName } from "../../config/environment";
import { ConfigMap, mergeConfig } from "../offline/stackfile";

export const PROJECT_NS = "delivery";

type Store = Record<string, unknown> & { provider?: string; name?: string };

/** The existing identity a store names in local mode, per provider. */
function localStore(store: Store, stack: string): Store {
    const environment = environmentFromStackName(stack);
    const env = environment !== undefined ? SHORT_NAMES[environment] : stack;
    switch (store.provider) {
        case "aws":
            return { roleArn: `arn:aws:iam::000000000000:role/delivery-${env}-external-secrets`, ...store };
        case "azure":
            return {
                vaultUrl: `https://delivery-${env}.vault.azure.net/`,
                clientId: "00000000-0000-0000-0000-000000000001",
                tenantId: "00000000-0000-0000-0000-000000000002",
                ...store,
            };
        case "gcp":
            return { project: "delivery-local", serviceAccountEmail: `delivery-${env}-eso@delivery-local.iam.gserviceaccount.com`, ...store };
        default:
            throw new Error(
                `stack ${stack}: secret store provider "${store.provider}" needs a server this machine cannot reach; ` +
                "the local environment supports aws, azure and gcp stores (as existing identities)");
    }
}

/**
 * The shipped stack config, changed for the local cluster. `kubeconfigPath` is the local
 * cluster's admin kubeconfig.
 */
export function localConfig(stack: string, shipped: ConfigMap, kubeconfigPath: string): ConfigMap {
    const key = (k: string) => `${PROJECT_NS}:${k}`;
    const cluster = (shipped[key("cluster")] ?? {}) as Record<string, unknown>;
    const secrets = (shipped[key("secrets")] ?? {}) as Record<string, unknown>;
    const stores = (Array.isArray(secrets.stores) ? secrets.stores : []) as Store[];
    const out: ConfigMap = { ...shipped };
    out[key("cluster")] = {
        provider: "existing",
        kubeconfigPath,
        ...(cluster.name !== undefined ? { name: cluster.name } : {}),
    };
    // The local cluster has no cloud zone: DNS and certificates stay with the cloud stacks (the program refuses them on existing clusters).
    delete out[key("dns")];
    delete out[key("tls")];
    const promotion = shipped[key("promotion")] as Record<string, unknown> | undefined;
    if (promotion?.soak !== undefined) {
        out[key("promotion")] = { ...promotion, soak: "0s" };
    }
    if (shipped[key("secrets")] !== undefined) {
        out[key("secrets")] = {
            ...secrets,
            stores: stores.map((s) => localStore(s, stack)),
            operator: { ...((secrets.operator ?? {}) as object), install: false },
            sealedSecrets: { ...((secrets.sealedSecrets ?? {}) as object), enabled: false },
        };
    }
    return out;
}

/** The Vault store and one secret from it, added next to the stack's own stores. */
export function withLocalVault(config: ConfigMap, stack: string, environment: Environment, vault: { addr: string; caCert: string }): ConfigMap {
    const key = `${PROJECT_NS}:secrets`;
    const secrets = (config[key] ?? {}) as Record<string, unknown>;
    const app = String(((config[`${PROJECT_NS}:app`] ?? {}) as { name?: unknown }).name ?? stack);
    const store = { provider: "vault", name: "vault", server: vault.addr, role: `${app}-${SHORT_NAMES[environment]}`, caBundle: vault.caCert };
    return {
        ...config,
        [key]: {
            ...secrets,
            stores: [...((secrets.stores ?? []) as object[]), store],
            secrets: [...((secrets.secrets ?? []) as object[]), { name: "settings", store: "vault", remoteKey: "settings" }],
        },
    };
}

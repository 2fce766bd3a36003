/**
 * What changes when a shipped stack runs against the local control plane instead of its cloud.
 *
 * The local cluster (toolchain/local-cluster.sh) is an API server without kubelets, cloud
 * accounts or internet, so four things cannot be as they are in a real environment:
 *  - the cluster: `existing`, through the local kubeconfig, instead of EKS/AKS/GKE;
 *  - (Pods do run: kwok fakes three kubelets, one per zone, so Pulumi waits for every rollout as
 *    in the shipped stacks, and a release whose pods never become ready fails the update);
 *  - secret stores: the External Secrets Operator chart and the Sealed Secrets chart come from
 *    chart repositories on the internet, so the operator is not installed (its CRDs are applied
 *    from a pinned fixture instead) and Sealed Secrets is off; cloud-side identities are not
 *    created, the stores name an existing identity instead (inert: no operator runs);
 *  - nothing else. App, namespace, release, promotion and pin settings are the shipped ones.
 */
import { SHORT_NAMES, environmentFromStackName } from "../../config/environment";
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

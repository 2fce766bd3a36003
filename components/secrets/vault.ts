import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
import * as pulumi from "@pulumi/pulumi";
import { AuthBackend } from "@pulumi/vault/authBackend";
import { AuthBackendConfig, AuthBackendRole } from "@pulumi/vault/kubernetes";
import { Mount } from "@pulumi/vault/mount";
import { Policy } from "@pulumi/vault/policy";
import { Provider as VaultProvider } from "@pulumi/vault/provider";
import { VaultStoreConfig } from "../../config/secrets";
import { StoreContext, StoreWiring } from "./context";

/** Namespace holding Vault's token-reviewer service account. */
export const TOKEN_REVIEWER_NAMESPACE = "vault-auth";
/** Lifetime of the Vault token the operator gets per login. */
export const VAULT_TOKEN_TTL_SECONDS = 3600;

/** Read-only access to one path of one environment's KV v2 mount. */
export function vaultReadPolicy(mount: string, path: string): string {
    return [
        `path "${mount}/data/${path}/*" {\n  capabilities = ["read"]\n}`,
        `path "${mount}/metadata/${path}/*" {\n  capabilities = ["read", "list"]\n}`,
    ].join("\n");
}

/**
 * HashiCorp Vault: a KV v2 mount per environment, a read-only policy for the app's path, a
 * Kubernetes auth backend that reviews tokens with a dedicated service account bound to
 * `system:auth-delegator`, and a role bound to the operator's service account and namespace.
 */
export function vaultStore(ctx: StoreContext, store: VaultStoreConfig): StoreWiring {
    if (store.role !== undefined) {
        return existingRole(ctx, store, store.role);
    }
    const vault = new VaultProvider(`${ctx.name}-${store.name}-vault`, {
        address: store.server,
        token: ctx.vaultToken !== undefined ? pulumi.secret(ctx.vaultToken) : undefined,
        skipChildToken: true,
    }, { parent: ctx.parent });
    const v = { parent: ctx.parent, provider: vault };
    const k = { parent: ctx.parent, provider: ctx.k8sProvider };

    const mount = store.existingMount
        ? pulumi.output(store.mount)
        : new Mount(`${ctx.name}-${store.name}-kv`, {
            path: store.mount, type: "kv", options: { version: "2" }, description: `${ctx.environment} secrets`,
        }, v).path;
    const policy = new Policy(`${ctx.name}-${store.name}-policy`, {
        name: `${ctx.app}-${ctx.environment}-read`,
        policy: mount.apply((m) => vaultReadPolicy(m, store.path)),
    }, v);

    // Token reviewer: Vault calls the TokenReview API with this account's token.
    const reviewerNs = new corev1.Namespace(`${ctx.name}-${store.name}-reviewer-ns`, {
        metadata: { name: `${TOKEN_REVIEWER_NAMESPACE}-${ctx.namespace}`.slice(0, 63), labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    }, k);
    const reviewer = new corev1.ServiceAccount(`${ctx.name}-${store.name}-reviewer`, {
        metadata: { name: "vault-token-reviewer", namespace: reviewerNs.metadata.name },
        automountServiceAccountToken: false,
    }, k);
    const binding = new rbacv1.ClusterRoleBinding(`${ctx.name}-${store.name}-reviewer`, {
        metadata: { name: `vault-token-reviewer-${ctx.namespace}` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: [{ kind: "ServiceAccount", name: reviewer.metadata.name, namespace: reviewerNs.metadata.name }],
    }, k);
    const token = new corev1.Secret(`${ctx.name}-${store.name}-reviewer-token`, {
        metadata: {
            name: "vault-token-reviewer",
            namespace: reviewerNs.metadata.name,
            annotations: { "kubernetes.io/service-account.name": reviewer.metadata.name },
        },
        type: "kubernetes.io/service-account-token",
    }, { ...k, dependsOn: [binding], additionalSecretOutputs: ["data"] });
    const tokenData = (field: string) => pulumi.secret(token.data.apply((d) => Buffer.from(d?.[field] ?? "", "base64").toString("utf8")));

    const backend = new AuthBackend(`${ctx.name}-${store.name}-auth`, {
        type: "kubernetes", path: store.authMount, description: `Kubernetes auth for ${ctx.app} in ${ctx.environment}`,
    }, v);
    const config = new AuthBackendConfig(`${ctx.name}-${store.name}-auth-config`, {
        backend: backend.path,
        kubernetesHost: store.kubernetesHost ?? ctx.identity.apiServerUrl,
        kubernetesCaCert: tokenData("ca.crt"),
        tokenReviewerJwt: tokenData("token"),
        disableLocalCaJwt: true,
    }, v);
    const role = new AuthBackendRole(`${ctx.name}-${store.name}-role`, {
        backend: backend.path,
        roleName: `${ctx.app}-${ctx.environment}`,
        boundServiceAccountNames: [ctx.serviceAccount],
        boundServiceAccountNamespaces: [ctx.namespace],
        tokenPolicies: [policy.name],
        tokenTtl: VAULT_TOKEN_TTL_SECONDS,
        audience: "vault",
    }, { ...v, dependsOn: [config] });

    return {
        provider: {
            vault: {
                server: store.server,
                path: mount,
                version: "v2",
                ...caBundle(store),
                auth: { kubernetes: { mountPath: backend.path, role: role.roleName, serviceAccountRef: { name: ctx.serviceAccount, audiences: ["vault"] } } },
            },
        },
        annotations: {},
        remoteKey: (key) => `${store.path}/${key}`,
        dependsOn: [role],
    };
}

function caBundle(store: VaultStoreConfig): { caBundle?: string } {
    return store.caBundle !== undefined ? { caBundle: Buffer.from(store.caBundle.trim() + "\n", "utf8").toString("base64") } : {};
}

/**
 * A role managed outside this program: only the store, logging in with that role on the
 * environment's auth mount. Nothing is created in Vault, so no Vault credentials are needed.
 */
function existingRole(ctx: StoreContext, store: VaultStoreConfig, role: string): StoreWiring {
    return {
        provider: {
            vault: {
                server: store.server,
                path: store.mount,
                version: "v2",
                ...caBundle(store),
                auth: { kubernetes: { mountPath: store.authMount, role, serviceAccountRef: { name: ctx.serviceAccount, audiences: ["vault"] } } },
            },
        },
        annotations: {},
        remoteKey: (key) => `${store.path}/${key}`,
        dependsOn: [],
    };
}

import { resourcePolicy } from "../lib/define";
import { isSet, peek, read } from "../lib/props";
import { CLUSTER_SECRET_STORE, isSecretStore, SECRET_STORE } from "../lib/types";

/** Static-credential settings per ESO v1 provider, and what to use instead. */
const STATIC_CREDENTIALS: readonly { readonly provider: string; readonly path: readonly string[]; readonly instead: string }[] = [
    { provider: "aws", path: ["auth", "secretRef"], instead: "auth.jwt.serviceAccountRef (IAM roles for service accounts)" },
    { provider: "azurekv", path: ["authSecretRef"], instead: "authType: WorkloadIdentity with serviceAccountRef" },
    { provider: "gcpsm", path: ["auth", "secretRef"], instead: "auth.workloadIdentity" },
    { provider: "vault", path: ["auth", "tokenSecretRef"], instead: "auth.kubernetes with a serviceAccountRef" },
    { provider: "vault", path: ["auth", "appRole"], instead: "auth.kubernetes with a serviceAccountRef" },
    { provider: "vault", path: ["auth", "userPass"], instead: "auth.kubernetes with a serviceAccountRef" },
    { provider: "vault", path: ["auth", "ldap"], instead: "auth.kubernetes with a serviceAccountRef" },
    { provider: "ibm", path: ["auth", "secretRef"], instead: "auth.containerAuth with a trusted profile" },
];

/** The stack key that decides each provider's authentication, for the remedy. */
const STACK_KEY: Readonly<Record<string, string>> = {
    ibm: "set delivery:secrets.stores[].auth: trustedProfile and profile: Profile-… on the IBM store (instead of auth: apiKey)",
    vault: "keep delivery:secrets.stores[] provider vault on its Kubernetes auth (authMount), with no token",
    azurekv: "give the azure store in delivery:secrets.stores[] a workload identity (clientId, tenantId) instead of a client secret",
    aws: "let the aws store in delivery:secrets.stores[] use the role the program creates (or roleArn), not access keys",
    gcpsm: "let the gcp store in delivery:secrets.stores[] use workload identity (serviceAccountEmail), not a key file",
};

/** Secret stores authenticate with the workload's identity, not with long-lived keys in a Secret. */
export const secretstoreWorkloadIdentity = resourcePolicy({
    name: "secretstore-workload-identity",
    description: "External Secrets stores authenticate through workload identity (IRSA, Azure/GCP workload identity, Vault Kubernetes auth, IBM trusted profiles), not static credentials; Vault is reached over https.",
    severity: "high",
    topics: ["secrets", "identity"],
    scope: "all",
    blocks: "SecretStores/ClusterSecretStores using static keys or tokens, or plain-http Vault",
    remedy: "configure the store's provider for workload identity (the SecretStores component does this for every provider except IBM apiKey)",
    resourceTypes: [SECRET_STORE, CLUSTER_SECRET_STORE],
    appliesTo: isSecretStore,
    validate: ({ type, name, props, report }) => {
        const kind = type.split(":").pop();
        for (const s of STATIC_CREDENTIALS) {
            if (isSet(props, "spec", "provider", s.provider, ...s.path)) {
                report(`${kind} ${name} authenticates to ${s.provider} with static credentials (spec.provider.${s.provider}.${s.path.join(".")})`,
                    `${STACK_KEY[s.provider] ?? `use ${s.instead}`}; the store then uses ${s.instead}`);
            }
        }
        const azureAuth = read(props, "spec", "provider", "azurekv", "authType");
        if (azureAuth !== undefined && azureAuth !== "WorkloadIdentity" && azureAuth !== "ManagedIdentity") {
            report(`${kind} ${name} authenticates to Azure Key Vault as a service principal (authType ${JSON.stringify(azureAuth)})`, "use authType: WorkloadIdentity with serviceAccountRef");
        }
        const server = peek(props, "spec", "provider", "vault", "server");
        if (typeof server === "string" && /^http:\/\//i.test(server)) {
            report(`${kind} ${name} reaches Vault over plain http (${server.replace(/\/\/[^/@]*@/, "//[credentials]@")})`, "set delivery:secrets.stores[].server to the https:// address of Vault");
        }
    },
});

import { change, check, clusterSecretStore, clusterSecretStoreInputs, fails, pack, passes, secretStore } from "../fixtures";

const policy = pack("secretstore-workload-identity");
const ref = { name: "creds", key: "value" };

describe("secretstore-workload-identity", () => {
    it("passes stores on workload identity for every provider", async () => {
        passes(await check(policy, secretStore()));
        passes(await check(policy, clusterSecretStore()));
        passes(await check(policy, secretStore({ azurekv: { authType: "WorkloadIdentity", vaultUrl: "https://kv.vault.azure.net/", serviceAccountRef: { name: "sa" } } })));
        passes(await check(policy, secretStore({ gcpsm: { projectID: "p", auth: { workloadIdentity: { clusterLocation: "europe-west1", clusterName: "c", clusterProjectID: "p", serviceAccountRef: { name: "sa" } } } } })));
        passes(await check(policy, secretStore({ ibm: { serviceUrl: "https://x.appdomain.cloud", auth: { containerAuth: { profile: "Profile-1" } } } })));
    });

    it("fails AWS access keys", async () => {
        fails(await check(policy, secretStore({ aws: { service: "SecretsManager", region: "eu-west-1", auth: { secretRef: { accessKeyIDSecretRef: ref, secretAccessKeySecretRef: ref } } } })),
            "SecretStore storefront-secrets-aws-store authenticates to aws with static credentials (spec.provider.aws.auth.secretRef). Remedy: let the aws store in delivery:secrets.stores[] use the role the program creates (or roleArn), not access keys; the store then uses auth.jwt.serviceAccountRef (IAM roles for service accounts).");
    });

    it("fails an Azure service principal", async () => {
        fails(await check(policy, secretStore({ azurekv: { authType: "ServicePrincipal", vaultUrl: "https://kv.vault.azure.net/", authSecretRef: { clientId: ref, clientSecret: ref } } })),
            "SecretStore storefront-secrets-aws-store authenticates to azurekv with static credentials (spec.provider.azurekv.authSecretRef). Remedy: give the azure store in delivery:secrets.stores[] a workload identity (clientId, tenantId) instead of a client secret; the store then uses authType: WorkloadIdentity with serviceAccountRef.",
            "SecretStore storefront-secrets-aws-store authenticates to Azure Key Vault as a service principal (authType \"ServicePrincipal\"). Remedy: use authType: WorkloadIdentity with serviceAccountRef.");
    });

    it("fails a GCP service-account key", async () => {
        fails(await check(policy, secretStore({ gcpsm: { projectID: "p", auth: { secretRef: { secretAccessKeySecretRef: ref } } } })),
            "SecretStore storefront-secrets-aws-store authenticates to gcpsm with static credentials (spec.provider.gcpsm.auth.secretRef). Remedy: let the gcp store in delivery:secrets.stores[] use workload identity (serviceAccountEmail), not a key file; the store then uses auth.workloadIdentity.");
    });

    it("fails a Vault token on a ClusterSecretStore", async () => {
        const token = change(clusterSecretStoreInputs(), "spec.provider.vault.auth", { tokenSecretRef: ref });
        fails(await check(policy, clusterSecretStore(token)),
            "ClusterSecretStore storefront-secrets-cluster-store authenticates to vault with static credentials (spec.provider.vault.auth.tokenSecretRef). Remedy: keep delivery:secrets.stores[] provider vault on its Kubernetes auth (authMount), with no token; the store then uses auth.kubernetes with a serviceAccountRef.");
    });

    it("fails Vault over plain http", async () => {
        fails(await check(policy, clusterSecretStore(change(clusterSecretStoreInputs(), "spec.provider.vault.server", "http://vault.acme.example:8200"))),
            "ClusterSecretStore storefront-secrets-cluster-store reaches Vault over plain http (http://vault.acme.example:8200). Remedy: set delivery:secrets.stores[].server to the https:// address of Vault.");
    });

    it("fails an IBM API key", async () => {
        fails(await check(policy, secretStore({ ibm: { serviceUrl: "https://x.appdomain.cloud", auth: { secretRef: { secretApiKeySecretRef: ref } } } })),
            "SecretStore storefront-secrets-aws-store authenticates to ibm with static credentials (spec.provider.ibm.auth.secretRef). Remedy: set delivery:secrets.stores[].auth: trustedProfile and profile: Profile-… on the IBM store (instead of auth: apiKey); the store then uses auth.containerAuth with a trusted profile.");
    });
});

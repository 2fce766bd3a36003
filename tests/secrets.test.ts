import { strict as assert } from "assert";
import { ConfigMap, Evaluation, cfg, ofType, one, rejects, runStack, appChart, NO_DNS } from "./harness";

const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SA = "kubernetes:core/v1:ServiceAccount";

const AZURE_CLUSTER = cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" } });
const GCP_CLUSTER = cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123" });
/** A GKE stack's budget belongs to a billing account. */
const GCP_BILLING = cfg("budget", { billingAccount: "012345-6789AB-CDEF01" });
const stores = (...list: object[]): ConfigMap => cfg("secrets", { stores: list });
const VAULT = { provider: "vault", server: "https://vault.acme.example:8200" };
const IBM_URL = "https://1a2b3c4d.eu-de.secrets-manager.appdomain.cloud";

function storeSpec(ev: Evaluation, name: string) {
    return ofType(ev, STORE).find((s) => s.inputs.metadata.name === name)!.inputs.spec;
}

describe("secret stores", () => {
    describe("AWS Secrets Manager (shipped in every stack)", () => {
        let dev: Evaluation;
        let prod: Evaluation;
        before(async () => {
            dev = await runStack("dev");
            prod = await runStack("prod");
        });

        it("trusts exactly the operator's service account through the cluster's OIDC provider (sub and aud)", () => {
            const trust = JSON.parse(one(prod, "aws:iam/role:Role", "-aws-role").inputs.assumeRolePolicy);
            const issuer = (prod.outputs.cluster as { identity: { oidcIssuerUrl: string } }).identity.oidcIssuerUrl.replace("https://", "");
            assert.deepEqual(trust.Statement, [{
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:storefront-prod:storefront-secrets", [`${issuer}:aud`]: "sts.amazonaws.com" } },
            }]);
        });

        it("reads only the environment's prefix, so dev can never read prod", () => {
            const resourceOf = (ev: Evaluation) => JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "-aws-read").inputs.policy).Statement[0];
            assert.deepEqual(resourceOf(prod).Action, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"]);
            assert.equal(resourceOf(prod).Resource, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:production/storefront/*");
            assert.equal(resourceOf(dev).Resource, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:development/storefront/*");
            assert.ok(!resourceOf(prod).Resource.startsWith(resourceOf(dev).Resource.replace("*", "")));
        });

        it("annotates the service account, points the store at it and prefixes remote keys", () => {
            const sa = one(prod, SA, "-secrets-sa");
            assert.equal(sa.inputs.metadata.name, "storefront-secrets");
            assert.equal(sa.inputs.metadata.annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/storefront-secrets-aws-role");
            assert.deepEqual(storeSpec(prod, "aws"), {
                provider: { aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "storefront-secrets" } } } } },
            });
            const db = ofType(prod, EXTERNAL_SECRET).find((e) => e.inputs.metadata.name === "storefront-database")!.inputs.spec;
            assert.deepEqual(db, {
                refreshInterval: "1h",
                secretStoreRef: { name: "aws", kind: "SecretStore" },
                target: { name: "storefront-database", creationPolicy: "Owner", deletionPolicy: "Retain" },
                dataFrom: [{ extract: { key: "production/storefront/database" } }],
            });
            const pay = ofType(prod, EXTERNAL_SECRET).find((e) => e.inputs.metadata.name === "storefront-payments")!.inputs.spec;
            assert.deepEqual(pay.data, [{ secretKey: "PAYMENTS_API_KEY", remoteRef: { key: "production/storefront/payments-api", property: "apiKey" } }]);
            assert.equal(ofType(dev, EXTERNAL_SECRET)[0].inputs.spec.refreshInterval, "15m");
        });

        it("feeds the synced secrets to the Helm release by name", () => {
            assert.deepEqual(appChart(prod).inputs.values.envFromSecrets, ["storefront-database", "storefront-payments"]);
        });

        it("installs the operator with a pinned chart in its own namespace, and Sealed Secrets where enabled", () => {
            const eso = one(prod, "kubernetes:helm.sh/v3:Release", "-eso");
            assert.deepEqual([eso.inputs.chart, eso.inputs.version, eso.inputs.namespace, eso.inputs.repositoryOpts.repo],
                ["external-secrets", "2.0.1", "external-secrets", "https://charts.external-secrets.io"]);
            const sealed = one(prod, "kubernetes:helm.sh/v3:Release", "-sealed-secrets");
            assert.deepEqual([sealed.inputs.chart, sealed.inputs.version], ["sealed-secrets", "2.17.2"]);
            assert.equal(ofType(dev, "kubernetes:helm.sh/v3:Release").filter((r) => r.name.endsWith("-sealed-secrets")).length, 0);
        });

        it("adds kms:Decrypt through Secrets Manager only when a customer key is used", async () => {
            const key = "arn:aws:kms:eu-west-1:123456789012:key/abcd";
            const ev = await runStack("prod", stores({ provider: "aws", region: "eu-west-1", kmsKeyArn: key }));
            const statements = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "-aws-read").inputs.policy).Statement;
            assert.deepEqual(statements[1], { Effect: "Allow", Action: "kms:Decrypt", Resource: key, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } });
        });

        it("Parameter Store reads parameters under the prefix", async () => {
            const ev = await runStack("staging", stores({ provider: "aws", region: "eu-west-1", service: "ParameterStore" }));
            const st = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "-aws-read").inputs.policy).Statement[0];
            assert.equal(st.Resource, "arn:aws:ssm:eu-west-1:123456789012:parameter/staging/storefront/*");
            assert.equal(ofType(ev, EXTERNAL_SECRET)[0].inputs.spec.dataFrom[0].extract.key, "/staging/storefront/database");
        });

        it("an existing cluster uses an existing role from config", async () => {
            const roleArn = "arn:aws:iam::123456789012:role/eso-staging";
            const ev = await runStack("staging", NO_DNS, cfg("cluster", { provider: "existing", context: "ctx" }), stores({ provider: "aws", region: "eu-west-1", roleArn }));
            assert.equal(ofType(ev, "aws:iam/role:Role").length, 0);
            assert.equal(one(ev, SA, "-secrets-sa").inputs.metadata.annotations["eks.amazonaws.com/role-arn"], roleArn);
        });
    });

    describe("Azure Key Vault", () => {
        it("federates a user-assigned identity with the service account and grants Key Vault Secrets User on this environment's vault", async () => {
            const ev = await runStack("prod", AZURE_CLUSTER, stores({ provider: "azure" }));
            const issuer = (ev.outputs.cluster as { identity: { oidcIssuerUrl: string } }).identity.oidcIssuerUrl;
            const fic = one(ev, "azure-native:managedidentity:FederatedIdentityCredential", "-azure-federation").inputs;
            assert.deepEqual([fic.issuer, fic.subject, fic.audiences], [issuer, "system:serviceaccount:storefront-prod:storefront-secrets", ["api://AzureADTokenExchange"]]);
            const vault = one(ev, "azure-native:keyvault:Vault", "-azure-vault");
            assert.equal(vault.inputs.vaultName, "kv-storefront-prod");
            assert.equal(vault.inputs.properties.enableRbacAuthorization, true);
            const grant = one(ev, "azure-native:authorization:RoleAssignment", "-secrets-user").inputs;
            assert.match(grant.roleDefinitionId, /4633458b-17de-408a-b874-0445c86b69e6$/);
            assert.match(grant.scope, /kv-storefront-prod|storefront-secrets-azure-vault/);
            const sa = one(ev, SA, "-secrets-sa").inputs.metadata;
            assert.match(sa.annotations["azure.workload.identity/client-id"], /^c-/);
            assert.equal(sa.labels["azure.workload.identity/use"], "true");
            assert.deepEqual(storeSpec(ev, "azure").provider.azurekv, {
                authType: "WorkloadIdentity", vaultUrl: "https://kv-storefront-prod.vault.azure.net/", tenantId: "00000000-0000-0000-0000-00000000a2e0",
                serviceAccountRef: { name: "storefront-secrets" },
            });
        });

        it("an existing identity and vault need no cloud resources", async () => {
            const ev = await runStack("staging", NO_DNS, cfg("cluster", { provider: "existing", context: "ctx" }), stores({
                provider: "azure", vaultUrl: "https://kv-shared-stg.vault.azure.net/", clientId: "11111111-2222-3333-4444-555555555555", tenantId: "99999999-2222-3333-4444-555555555555",
            }));
            assert.equal(ev.resources.filter((r) => r.type.startsWith("azure-native:")).length, 0);
            assert.equal(storeSpec(ev, "azure").provider.azurekv.vaultUrl, "https://kv-shared-stg.vault.azure.net/");
        });

        it("refuses an Azure store on a cluster not built as AKS without an existing identity", async () => {
            await rejects(runStack("prod", stores({ provider: "azure" })), "delivery:secrets.stores[0]: on a cluster not created here as AKS, needs the existing identity");
        });
    });

    describe("GCP Secret Manager", () => {
        it("grants secretAccessor on the environment's prefix and workload identity to exactly the service account", async () => {
            const ev = await runStack("prod", GCP_CLUSTER, GCP_BILLING, stores({ provider: "gcp" }));
            const access = one(ev, "gcp:projects/iAMMember:IAMMember", "-gcp-accessor").inputs;
            assert.equal(access.role, "roles/secretmanager.secretAccessor");
            assert.equal(access.condition.expression, 'resource.name.startsWith("projects/987654321098/secrets/prod-storefront-")');
            const wi = one(ev, "gcp:serviceaccount/iAMMember:IAMMember", "-gcp-wi").inputs;
            assert.deepEqual([wi.role, wi.member], ["roles/iam.workloadIdentityUser", "serviceAccount:acme-prod-123.svc.id.goog[storefront-prod/storefront-secrets]"]);
            const gsa = one(ev, "gcp:serviceaccount/account:Account", "-gcp-gsa").inputs;
            assert.equal(one(ev, SA, "-secrets-sa").inputs.metadata.annotations["iam.gke.io/gcp-service-account"], `${gsa.accountId}@acme-prod-123.iam.gserviceaccount.com`);
            assert.deepEqual(storeSpec(ev, "gcp").provider.gcpsm.auth.workloadIdentity, {
                clusterLocation: "europe-west1", clusterName: "delivery-prod", clusterProjectID: "acme-prod-123", serviceAccountRef: { name: "storefront-secrets" },
            });
            assert.equal(ofType(ev, EXTERNAL_SECRET)[0].inputs.spec.dataFrom[0].extract.key, "prod-storefront-database");
        });

        it("a zonal cluster's store names the zone as its location", async () => {
            const ev = await runStack("dev", cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b"], project: "acme-dev-123" }), GCP_BILLING, stores({ provider: "gcp" }));
            assert.equal(storeSpec(ev, "gcp").provider.gcpsm.auth.workloadIdentity.clusterLocation, "europe-west1-b");
            assert.equal(one(ev, "gcp:projects/iAMMember:IAMMember", "-gcp-accessor").inputs.condition.expression, 'resource.name.startsWith("projects/987654321098/secrets/dev-storefront-")');
        });
    });

    describe("HashiCorp Vault", () => {
        let prod: Evaluation;
        before(async () => {
            prod = await runStack("prod", stores(VAULT));
        });

        it("creates the environment's KV v2 mount and a read-only policy on the app's path", () => {
            assert.deepEqual([one(prod, "vault:index/mount:Mount").inputs.path, one(prod, "vault:index/mount:Mount").inputs.options], ["kv-prod", { version: "2" }]);
            const policy = one(prod, "vault:index/policy:Policy").inputs;
            assert.equal(policy.name, "storefront-production-read");
            assert.equal(policy.policy, 'path "kv-prod/data/storefront/*" {\n  capabilities = ["read"]\n}\npath "kv-prod/metadata/storefront/*" {\n  capabilities = ["read", "list"]\n}');
        });

        it("configures Kubernetes auth with a token reviewer bound to system:auth-delegator", () => {
            const crb = one(prod, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").inputs;
            assert.equal(crb.roleRef.name, "system:auth-delegator");
            assert.equal(crb.subjects[0].name, "vault-token-reviewer");
            assert.equal(one(prod, "kubernetes:core/v1:Secret", "-reviewer-token").inputs.type, "kubernetes.io/service-account-token");
            const config = one(prod, "vault:kubernetes/authBackendConfig:AuthBackendConfig");
            assert.match(config.inputs.kubernetesHost, /^https:\/\/.*eks\.amazonaws\.com$/);
            assert.equal(config.display.tokenReviewerJwt, "[secret]");
            assert.equal(one(prod, "vault:index/authBackend:AuthBackend").inputs.path, "kubernetes-prod");
        });

        it("binds the role to the operator's service account and namespace only", () => {
            const role = one(prod, "vault:kubernetes/authBackendRole:AuthBackendRole").inputs;
            assert.deepEqual([role.boundServiceAccountNames, role.boundServiceAccountNamespaces, role.tokenPolicies], [["storefront-secrets"], ["storefront-prod"], ["storefront-production-read"]]);
            const spec = storeSpec(prod, "vault").provider.vault;
            assert.deepEqual(spec, {
                server: "https://vault.acme.example:8200", path: "kv-prod", version: "v2",
                auth: { kubernetes: { mountPath: "kubernetes-prod", role: "storefront-production", serviceAccountRef: { name: "storefront-secrets", audiences: ["vault"] } } },
            });
            assert.equal(ofType(prod, EXTERNAL_SECRET)[0].inputs.spec.dataFrom[0].extract.key, "storefront/database");
        });

        it("keeps environments apart: dev gets its own mount, policy and auth mount", async () => {
            const dev = await runStack("dev", stores(VAULT));
            assert.equal(one(dev, "vault:index/mount:Mount").inputs.path, "kv-dev");
            assert.match(one(dev, "vault:index/policy:Policy").inputs.policy, /"kv-dev\/data\/storefront\/\*"/);
            assert.doesNotMatch(one(dev, "vault:index/policy:Policy").inputs.policy, /kv-prod/);
            assert.equal(one(dev, "vault:index/authBackend:AuthBackend").inputs.path, "kubernetes-dev");
        });

        it("uses an existing mount when asked", async () => {
            const ev = await runStack("staging", stores({ ...VAULT, mount: "secret", existingMount: true }));
            assert.equal(ofType(ev, "vault:index/mount:Mount").length, 0);
            assert.match(one(ev, "vault:index/policy:Policy").inputs.policy, /path "secret\/data\/storefront\/\*"/);
        });

        it("with an existing role, creates nothing in Vault and logs in with that role", async () => {
            const ca = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUFakeFakeFake\n-----END CERTIFICATE-----\n";
            const ev = await runStack("prod", stores({ ...VAULT, role: "storefront-prod", caBundle: ca }));
            assert.deepEqual(ev.resources.filter((r) => r.type.startsWith("vault:")).map((r) => r.type), []);
            assert.equal(ofType(ev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 0, "no token reviewer either");
            assert.deepEqual(storeSpec(ev, "vault").provider.vault, {
                server: "https://vault.acme.example:8200", path: "kv-prod", version: "v2",
                caBundle: Buffer.from(ca).toString("base64"),
                auth: { kubernetes: { mountPath: "kubernetes-prod", role: "storefront-prod", serviceAccountRef: { name: "storefront-secrets", audiences: ["vault"] } } },
            });
        });

        it("refuses an existing role, or a CA bundle, that is not what it says", async () => {
            await rejects(runStack("dev", stores({ ...VAULT, role: "storefront-prod" })),
                "secrets.stores[0].role: is \"storefront-prod\", the production environment's", "storefront-dev");
            const message = await rejects(runStack("dev", stores({ ...VAULT, caBundle: "-----BEGIN PRIVATE KEY-----\nAAAAkeymaterial\n-----END PRIVATE KEY-----" })),
                "secrets.stores[0].caBundle: must be PEM CA certificates");
            assert.ok(!message.includes("AAAAkeymaterial"), "the refused value is not echoed");
        });
    });

    describe("IBM Secrets Manager", () => {
        it("takes the API key from the secret config into a Kubernetes secret, never exposing it", async () => {
            const key = "ibm-key-value-that-must-stay-hidden";
            const ev = await runStack("prod", stores({ provider: "ibm", serviceUrl: IBM_URL }), cfg("ibmApiKey", { secure: key }));
            const secret = one(ev, "kubernetes:core/v1:Secret", "-ibm-api-key");
            assert.equal(secret.inputs.stringData.apikey, key, "the key reaches the Kubernetes secret");
            assert.ok(!JSON.stringify(secret.display).includes(key), "but only as a secret");
            assert.deepEqual(storeSpec(ev, "ibm").provider.ibm, {
                serviceUrl: IBM_URL, auth: { secretRef: { secretApiKeySecretRef: { name: "storefront-ibm-secrets-manager", key: "apikey" } } },
            });
            assert.ok(!JSON.stringify(ev.outputs).includes(key), "no output carries the key");
            assert.ok(!JSON.stringify(ev.resources.map((r) => r.display)).includes(key), "the plan never shows the key");
        });

        it("refuses the API key in plaintext, and requires it when no secret is referenced", async () => {
            await rejects(runStack("prod", stores({ provider: "ibm", serviceUrl: IBM_URL }), cfg("ibmApiKey", "plain-key")),
                "delivery:ibmApiKey: holds a plaintext value but must be a secret");
            await rejects(runStack("prod", stores({ provider: "ibm", serviceUrl: IBM_URL })), "delivery:ibmApiKey: is required by an IBM store");
        });

        it("references an existing secret, or uses a trusted profile", async () => {
            const byRef = await runStack("prod", stores({ provider: "ibm", serviceUrl: IBM_URL, apiKeySecret: { name: "sm-key", key: "key" } }));
            assert.equal(ofType(byRef, "kubernetes:core/v1:Secret").length, 0);
            assert.deepEqual(storeSpec(byRef, "ibm").provider.ibm.auth, { secretRef: { secretApiKeySecretRef: { name: "sm-key", key: "key" } } });
            const profile = "Profile-0f6b1f3e-9c0a-4c7e-8e3e-1f2a3b4c5d6e";
            const byProfile = await runStack("prod", stores({ provider: "ibm", serviceUrl: IBM_URL, auth: "trustedProfile", profile }));
            assert.equal(storeSpec(byProfile, "ibm").provider.ibm.auth.containerAuth.profile, profile);
        });
    });

    describe("several providers and the cluster-wide store", () => {
        it("a stack enabling several providers gets all of them on one service account", async () => {
            const ev = await runStack("prod", stores({ provider: "aws", region: "eu-west-1" }, VAULT, { provider: "ibm", serviceUrl: IBM_URL, apiKeySecret: { name: "sm", key: "k" } }));
            assert.deepEqual(ofType(ev, STORE).map((s) => s.inputs.metadata.name).sort(), ["aws", "ibm", "vault"]);
            assert.equal(ofType(ev, SA).filter((s) => s.name.endsWith("-secrets-sa")).length, 1);
        });

        it("creates a ClusterSecretStore only when asked, narrowed to the listed namespaces", async () => {
            const prod = await runStack("prod");
            assert.equal(ofType(prod, "kubernetes:external-secrets.io/v1:ClusterSecretStore").length, 0);
            const ev = await runStack("prod", cfg("secrets", { clusterStore: { store: "aws", namespaces: ["storefront-prod", "jobs-prod"] } }));
            const css = one(ev, "kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs.spec;
            assert.deepEqual(css.conditions, [{ namespaces: ["storefront-prod", "jobs-prod"] }]);
            assert.deepEqual(css.provider.aws.auth.jwt.serviceAccountRef, { name: "storefront-secrets", namespace: "storefront-prod" });
            await rejects(runStack("prod", cfg("secrets", { clusterStore: { store: "aws" } })), "delivery:secrets.clusterStore.namespaces: must list the namespaces");
        });

        it("refuses a declared secret whose store does not exist", async () => {
            await rejects(runStack("prod", cfg("secrets", { secrets: [{ name: "db", store: "vault", remoteKey: "db" }] })),
                'delivery:secrets.secrets[0].store: names no configured store (stores: aws); got "vault"');
        });
    });
});

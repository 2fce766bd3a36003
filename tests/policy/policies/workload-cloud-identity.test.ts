import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("workload-cloud-identity");
const REMEDY = "Remedy: remove serviceAccount annotations that name a cloud identity from delivery:values and delivery:valuesFiles; the app reads its secrets through delivery:secrets.";
const NS = "storefront-prod";
const ROLE = "arn:aws:iam::123456789012:role/storefront-prod-secrets";

const record = (stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } }, data: { version: "1.8.3" },
}, { stack });
const account = (name: string, annotations: Record<string, string> = {}, namespace = NS, stack = "prod") =>
    resource("kubernetes:core/v1:ServiceAccount", name, { metadata: { name, namespace, annotations } }, { stack });
const store = (serviceAccount = "storefront-secrets") => resource("kubernetes:external-secrets.io/v1:SecretStore", "storefront-aws", {
    metadata: { name: "aws", namespace: NS },
    spec: { provider: { aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } } } },
}, { stack: "prod" });
const deployment = (serviceAccountName: string) => resource("kubernetes:apps/v1:Deployment", "storefront", {
    metadata: { name: "storefront", namespace: NS }, spec: { template: { spec: { serviceAccountName, containers: [{ name: "app", image: "ghcr.io/acme/storefront:1.8.3" }] } } },
}, { stack: "prod" });

describe("workload-cloud-identity", () => {
    it("passes the secret stores' account with its role and the app's account without one", async () => {
        passes(await checkStack(policy, [record(), store(), account("storefront-secrets", { "eks.amazonaws.com/role-arn": ROLE }), account("storefront"), deployment("storefront")]));
    });

    it("fails the app's account given an IRSA role by chart values", async () => {
        fails(await checkStack(policy, [record(), store(), account("storefront-secrets", { "eks.amazonaws.com/role-arn": ROLE }),
            account("storefront", { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/admin" }), deployment("storefront")]),
        `ServiceAccount ${NS}/storefront carries a cloud identity (eks.amazonaws.com/role-arn) but no SecretStore authenticates as it: its pods would get a cloud role nobody created for them. ${REMEDY}`);
    });

    it("reads GKE and Azure workload identity too", async () => {
        fails(await checkStack(policy, [record(), account("storefront", { "iam.gke.io/gcp-service-account": "admin@acme-prod-123.iam.gserviceaccount.com", "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555" })]),
            `ServiceAccount ${NS}/storefront carries a cloud identity (iam.gke.io/gcp-service-account, azure.workload.identity/client-id) but no SecretStore authenticates as it: its pods would get a cloud role nobody created for them. ${REMEDY}`);
    });

    it("fails a workload running as the stores' account", async () => {
        fails(await checkStack(policy, [record(), store(), account("storefront-secrets", { "eks.amazonaws.com/role-arn": ROLE }), deployment("storefront-secrets")]),
            `Deployment storefront runs as storefront-secrets, the secret stores' service account: its pods would read every secret the stores can. ${REMEDY}`);
    });

    it("judges the app's namespace only (platform add-ons have identities of their own)", async () => {
        passes(await checkStack(policy, [record(), account("external-dns", { "eks.amazonaws.com/role-arn": ROLE }, "external-dns")]));
    });

    it("does not apply to staging", async () => {
        notApplicable(await checkStack(policy, [record("staging"), account("storefront", { "eks.amazonaws.com/role-arn": ROLE }, NS, "staging")]), "applies to production only");
    });
});

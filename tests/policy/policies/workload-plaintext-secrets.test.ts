import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, record, release, releaseInputs, resource } from "../fixtures";

const policy = pack("workload-plaintext-secrets");
const REMEDY = "Remedy: keep the value in the secret store and load it through delivery:secrets (an ExternalSecret the app reads with envFrom), then remove it from delivery:app.env.";
const POD_REMEDY = "Remedy: read it with valueFrom.secretKeyRef (or envFrom a Secret written by External Secrets).";
const configMap = (data: Record<string, string>) => resource("kubernetes:core/v1:ConfigMap", "settings", { metadata: { name: "settings", namespace: "storefront-prod" }, data });

describe("workload-plaintext-secrets", () => {
    it("passes secrets loaded by name (envFromSecrets, secretKeyRef) and the release record", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
        passes(await check(policy, record()));
    });

    it("fails a password in the app's environment (delivery:app.env)", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.env.DATABASE_PASSWORD", "correct-horse-battery-staple"))),
            `Helm release storefront-helm (chart ./charts/app): values.env.DATABASE_PASSWORD holds a literal value under a secret-sounding name. ${REMEDY}`);
    });

    it("fails a secret nested anywhere in the values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.database.auth.apiKey", "k-9f8e7d6c5b4a"))),
            `Helm release storefront-helm (chart ./charts/app): values.database.auth.apiKey holds a literal value under a secret-sounding name. ${REMEDY}`);
    });

    it("recognises secrets by shape under innocent names", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.env.UPSTREAM", "https://svc:s3cr3t@api.partner.example/v1"))),
            `Helm release storefront-helm (chart ./charts/app): values.env.UPSTREAM holds what looks like a password inside a URL. ${REMEDY}`);
        fails(await check(policy, release(change(releaseInputs(), "values.env.AWS_ID", "AKIAIOSFODNN7EXAMPLE"))),
            `Helm release storefront-helm (chart ./charts/app): values.env.AWS_ID holds what looks like an AWS access key id. ${REMEDY}`);
    });

    it("passes references to secrets and non-secret settings with secret-sounding names", async () => {
        const refs = change(change(change(releaseInputs(), "values.existingSecret", "storefront-db"), "values.auth.passwordSecretName", "db"), "values.tokenTtl", "3600");
        passes(await check(policy, release(refs)));
    });

    it("knows common secret names (SECRET_KEY, client secrets, credentials) but not settings about them", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.env.SECRET_KEY", "django-insecure-9x8y7z"))),
            `Helm release storefront-helm (chart ./charts/app): values.env.SECRET_KEY holds a literal value under a secret-sounding name. ${REMEDY}`);
        passes(await check(policy, release(change(change(releaseInputs(), "values.auth", "oidc"), "values.env.TOKEN_AUDIENCE", "storefront"))));
    });

    it("fails a literal token in a container's env", async () => {
        const env = [{ name: "API_TOKEN", value: "tok_5a4b3c2d1e" }];
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.env`, env))),
            `Deployment api container api: env API_TOKEN holds a literal value under a secret-sounding name. ${POD_REMEDY}`);
    });

    it("fails a secret in the annotations of a rendered object (a ServiceAccount, a Deployment's pods), and passes ordinary annotations", async () => {
        const ANNOTATION_REMEDY = "Remedy: remove it from delivery:values (annotations are readable by anyone who can list the object); load secrets through delivery:secrets.";
        const account = (annotations: Record<string, string>) => resource("kubernetes:core/v1:ServiceAccount", "storefront", { metadata: { name: "storefront", namespace: "storefront-prod", annotations } });
        fails(await check(policy, account({ "api-key": "sk_live_FAKEFAKEFAKEFAKE0000" })),
            `ServiceAccount storefront: metadata.annotations.api-key holds what looks like a Stripe live key. ${ANNOTATION_REMEDY}`);
        fails(await check(policy, deployment(change(deploymentInputs(), "spec.template.metadata.annotations", { "vendor.example.com/password": "correct-horse-battery" }))),
            `Deployment api: spec.template.metadata.annotations.vendor.example.com/password holds a literal value under a secret-sounding name. ${ANNOTATION_REMEDY}`);
        passes(await check(policy, account({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/storefront-prod-secrets", "cert-manager.io/cluster-issuer": "letsencrypt-production" })));
    });

    it("fails a password in ConfigMap data", async () => {
        fails(await check(policy, configMap({ LOG_LEVEL: "info", SMTP_PASSWORD: "mailpass-2024" })),
            "ConfigMap settings: data.SMTP_PASSWORD holds a literal value under a secret-sounding name. Remedy: move the value into a Secret fed by the secret store (delivery:secrets).");
    });
});

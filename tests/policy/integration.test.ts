/**
 * The pack on the real program under Pulumi's mock runtime: the shipped stacks pass, and each
 * unsafe variant of prod (tests/fixtures/unsafe/*.yaml, override files in the stack-file format,
 * the same files `npm run plan -- --config` reads) fails with the policy that guards it, while the
 * same variant on dev gives advisories only. Upstream stacks are evaluated once and passed in.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Evaluation } from "../../tools/offline/evaluate";
import { PolicyCheckResult, checkPolicies, mandatoryViolations, policyConfigFile } from "../../tools/offline/policy-check";
import { readConfigFile } from "../../tools/offline/stackfile";
import { exitCode, main } from "../../tools/plan";
import { asUpstream, rejects, runChain, soakedFor } from "../harness";

const DEV = "organization/delivery/dev";
const STAGING = "organization/delivery/staging";
const UNSAFE = path.resolve(__dirname, "..", "fixtures", "unsafe");

interface Variant {
    readonly file: string;
    /** Exactly the policies that must fail on prod (all mandatory). */
    readonly prod: readonly string[];
    /** The advisories the same override gives on dev (production-only policies stay silent there). */
    readonly dev?: readonly string[];
    /** Set when the variant cannot exist on dev: the config error that refuses it there. */
    readonly refusedOnDev?: string;
    /** Set when config validation refuses the variant on prod (exit 2, nothing deployed): what the message says. */
    readonly refusedOnProd?: string;
}

const VARIANTS: readonly Variant[] = [
    { file: "one-replica.yaml", prod: ["workload-replicas-minimum", "workload-disruption-budget"], dev: [] },
    { file: "public-endpoint.yaml", prod: ["cluster-endpoint-allowlist"], dev: [] }, // dev keeps its own allow-list
    { file: "endpoint-outside-allowlist.yaml", prod: ["cluster-endpoint-allowlist"], dev: ["cluster-endpoint-allowlist"] },
    { file: "no-kms.yaml", prod: ["cluster-secrets-encryption"], dev: ["cluster-secrets-encryption"] },
    { file: "latest-tag.yaml", prod: ["workload-image-pinned"], refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "prod-on-dev-cluster.yaml", prod: [], refusedOnProd: "delivery:cluster.stack: is organization/delivery/dev, a development stack: production runs only on a production cluster", refusedOnDev: "delivery:cluster.stack: is organization/delivery/dev, this stack itself" },
    { file: "plaintext-secret.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "unprotected-cluster.yaml", prod: ["cluster-deletion-protection"], dev: [] },
    { file: "no-audit-logging.yaml", prod: ["cluster-audit-logging"], dev: ["cluster-audit-logging"] },
    { file: "no-auto-upgrade.yaml", prod: ["cluster-auto-upgrade", "nodepool-auto-upgrade"], dev: ["cluster-auto-upgrade", "nodepool-auto-upgrade"] },
    { file: "old-kubernetes.yaml", prod: ["cluster-version-floor"], dev: ["cluster-version-floor"] },
    { file: "single-zone.yaml", prod: ["cluster-zone-redundancy"], dev: [] },
    { file: "small-node-pool.yaml", prod: ["nodepool-minimum-size"], dev: [] },
    { file: "baseline-pod-security.yaml", prod: ["namespace-pod-security"], dev: [] },
    { file: "foreign-registry.yaml", prod: [], refusedOnProd: "which runs its releases from ghcr.io/acme/storefront, but this stack's delivery:app.image is docker.io/library/nginx", dev: ["workload-image-registry"] },
    { file: "plain-http-ingress.yaml", prod: ["ingress-issuer-zone", "ingress-tls"], dev: [] },
    { file: "staging-issuer.yaml", prod: ["ingress-issuer-zone"], dev: [] },
    { file: "host-outside-zone.yaml", prod: [], refusedOnProd: "delivery:app.ingress.host: is storefront.acme.test, outside delivery:dns.zone (acme.example)", refusedOnDev: "outside delivery:dns.zone (dev.acme.example)" },
    // Added with the review set of unsafe production changes (each a class that once planned clean).
    { file: "duplicate-zones.yaml", prod: [], refusedOnProd: 'delivery:cluster.zones[2]: repeats zone "eu-west-1a"', refusedOnDev: "repeats zone" },
    { file: "zone-outside-region.yaml", prod: [], refusedOnProd: 'delivery:cluster.zones[2]: "us-east-1c" is not a zone of region eu-west-1', refusedOnDev: "is not a zone of region" },
    { file: "prod-on-staging-cluster.yaml", prod: [], refusedOnProd: "delivery:cluster.stack: is organization/delivery/staging, a staging stack: production runs only on a production cluster", refusedOnDev: "organization/delivery/staging" },
    { file: "app-in-kube-system.yaml", prod: [], refusedOnProd: 'delivery:namespace.name: is "kube-system", a namespace of the cluster or its platform', refusedOnDev: "a namespace of the cluster or its platform" },
    { file: "app-in-default.yaml", prod: [], refusedOnProd: 'delivery:namespace.name: is "default", a namespace of the cluster or its platform', refusedOnDev: "a namespace of the cluster or its platform" },
    { file: "app-in-staging-namespace.yaml", prod: [], refusedOnProd: 'delivery:namespace.name: is "storefront-staging", the staging namespace\'s name, on a production stack', refusedOnDev: "the staging namespace's name" },
    { file: "store-prefix-other-env.yaml", prod: [], refusedOnProd: 'delivery:secrets.stores[0].prefix: is "staging/storefront/", the staging environment\'s secrets', refusedOnDev: "the staging environment's secrets" },
    { file: "store-prefix-too-broad.yaml", prod: [], refusedOnProd: 'delivery:secrets.stores[0].prefix: is "production/", outside production/storefront/', refusedOnDev: "the production environment's secrets" },
    { file: "store-prefix-other-app.yaml", prod: [], refusedOnProd: 'delivery:secrets.stores[0].prefix: is "production/checkout/", outside production/storefront/', refusedOnDev: "the production environment's secrets" },
    { file: "store-default-service-account.yaml", prod: [], refusedOnProd: "delivery:secrets.serviceAccount: is the namespace's default service account", refusedOnDev: "default service account" },
    { file: "vault-other-env-mount.yaml", prod: [], refusedOnProd: 'delivery:secrets.stores[0].mount: is "kv-staging", the staging environment\'s', refusedOnDev: '"kv-staging"' },
    { file: "cluster-store-kube-system.yaml", prod: [], refusedOnProd: 'delivery:secrets.clusterStore.namespaces[1]: is "kube-system", a namespace of the cluster or its platform', refusedOnDev: '"kube-system"' },
    { file: "cluster-store-dev-namespace.yaml", prod: [], refusedOnProd: 'delivery:secrets.clusterStore.namespaces[1]: is "storefront-dev", a development namespace: it would read production secrets', refusedOnDev: 'is "storefront-prod", a production namespace' },
    { file: "single-nat.yaml", prod: [], refusedOnProd: "delivery:cluster.network.natPerZone: is false in production", refusedOnDev: "allowedCidrs: has no effect on a private endpoint" },
    { file: "env-overrides-chart.yaml", prod: [], refusedOnProd: "delivery:app.env.APP_ENVIRONMENT: overrides a variable the chart sets", refusedOnDev: "overrides a variable the chart sets" },
    { file: "release-on-prod.yaml", prod: [], refusedOnProd: "delivery:release: is only set on development stacks", dev: [] },
    { file: "promote-from-dev.yaml", prod: [], refusedOnProd: "delivery:promotion.from: promotes production from a development stack", refusedOnDev: "promotion.from: is not allowed on a development stack" },
    { file: "pin-without-reason.yaml", prod: [], refusedOnProd: "delivery:pin.reason: is required but not set", refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "values-set-image-tag.yaml", prod: [], refusedOnProd: "delivery:values: sets image.tag, where promotion puts the release's image tag", refusedOnDev: "where promotion puts the release's image tag" },
    { file: "env-pgpassword.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "env-smtp-pass.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "env-apitoken.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "env-dbpassword.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "env-credential-url.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "pin-moving-tag.yaml", prod: ["workload-image-pinned"], refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "pin-partial-version.yaml", prod: ["workload-image-pinned"], refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "autoscaler-fixed-range.yaml", prod: ["workload-autoscaler-range"], dev: [] },
    { file: "no-disruption-budget.yaml", prod: ["workload-disruption-budget"], dev: [] },
    { file: "no-zone-spread.yaml", prod: ["workload-zone-spread"], dev: [] },
    { file: "privileged-pod-security.yaml", prod: ["namespace-pod-security"], dev: [] },
    { file: "low-port.yaml", prod: ["workload-container-hygiene"], dev: ["workload-container-hygiene"] },
    { file: "public-endpoint-everyone.yaml", prod: ["cluster-endpoint-allowlist"], dev: ["cluster-endpoint-allowlist"] },
    {
        file: "chart-hardcoded-privileged.yaml",
        prod: [
            "helm-release-chart-source", "role-least-privilege", "workload-container-hygiene", "workload-disruption-budget", "workload-health-probes",
            "workload-host-namespaces", "workload-observability-production", "workload-pod-security-restricted", "workload-privilege-escalation", "workload-privileged",
            "workload-read-only-root-filesystem", "workload-replicas-minimum", "workload-resource-limits", "workload-rollout-keeps-serving",
            "workload-run-as-non-root", "workload-service-account",
        ],
        refusedOnDev: "delivery:pin: is not used on development stacks",
    },
    { file: "chart-one-replica.yaml", prod: ["helm-release-chart-source", "workload-observability-production", "workload-replicas-minimum"], refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "values-zero-limits.yaml", prod: ["workload-resource-limits"], dev: ["workload-resource-limits"] },
    { file: "values-image-beside-promotion.yaml", prod: [], refusedOnProd: 'delivery:chart.imageValues.tag: is "env.IMAGE_TAG", but the bundled chart builds its image from image.tag', refusedOnDev: "the bundled chart builds its image from image.tag" },
    { file: "values-image-other-repository.yaml", prod: [], refusedOnProd: 'delivery:chart.imageValues.repository: is "env.IMAGE_REPOSITORY", but the bundled chart builds its image from image.repository', refusedOnDev: "the bundled chart builds its image from image.repository" },
    { file: "values-secret-annotation.yaml", prod: ["workload-plaintext-secrets"], dev: ["workload-plaintext-secrets"] },
    { file: "secret-controllers-in-app-namespace.yaml", prod: [], refusedOnProd: "delivery:secrets.operator.namespace: is storefront-prod, the app's namespace", dev: ["namespace-default-deny", "namespace-resource-quota"] },
    { file: "override-padded-reason.yaml", prod: [], refusedOnProd: "delivery:override.reason: has fewer than 10 characters besides spaces", refusedOnDev: "delivery:override.reason: has fewer than 10 characters besides spaces" },
    { file: "helm-wait-off.yaml", prod: ["stack-rollout-awaited"], dev: [] },
    { file: "app-image-not-promoted.yaml", prod: [], refusedOnProd: "which runs its releases from ghcr.io/acme/storefront, but this stack's delivery:app.image is ghcr.io/acme/storefront-canary", dev: [] },
    { file: "chart-image-path-unread.yaml", prod: ["helm-release-chart-source", "workload-image-promoted"], refusedOnDev: "delivery:pin: is not used on development stacks" },
    { file: "values-service-account-role.yaml", prod: ["workload-cloud-identity"], dev: [] },
    { file: "values-environment-development.yaml", prod: ["workload-environment-production"], dev: [] },
    { file: "values-node-env-development.yaml", prod: ["workload-environment-production"], dev: [] },
    { file: "values-wildcard-host.yaml", prod: ["ingress-issuer-zone"], dev: [] },
    { file: "values-ingress-snippet.yaml", prod: ["ingress-controller-snippets"], dev: ["ingress-controller-snippets"] },
    { file: "values-ingress-no-https-redirect.yaml", prod: ["ingress-tls"], dev: [] },
    { file: "store-role-other-env.yaml", prod: [], refusedOnProd: 'delivery:secrets.stores[0].roleArn: is "arn:aws:iam::123456789012:role/eso-storefront-staging", a role of the staging environment', refusedOnDev: "a role of the staging environment" },
    { file: "values-liveness-never.yaml", prod: ["workload-health-probes"], dev: ["workload-health-probes"] },
    { file: "ingress-from-kube-system.yaml", prod: [], refusedOnProd: 'delivery:namespace.ingressNamespace: is "kube-system", a namespace of the cluster or its platform', refusedOnDev: "a namespace of the cluster or its platform" },
    { file: "ingress-from-dev-namespace.yaml", prod: [], refusedOnProd: 'delivery:namespace.ingressNamespace: is "storefront-dev", a development namespace', dev: [] },
];

const policiesOf = (r: PolicyCheckResult, level: "mandatory" | "advisory") =>
    [...new Set(r.violations.filter((v) => v.level === level).map((v) => v.policy))].sort();

describe("policy pack on the program (mock runtime)", () => {
    it("covers every unsafe variant in tests/fixtures/unsafe (at least 40)", () => {
        const files = fs.readdirSync(UNSAFE).filter((f) => f.endsWith(".yaml")).sort();
        assert.ok(files.length >= 40, `only ${files.length} variants`);
        assert.deepEqual(files, VARIANTS.map((v) => v.file).sort());
    });

    const shipped: Record<string, Evaluation> = {};
    let upstream: Record<string, Record<string, unknown>>;

    before(async () => {
        shipped.dev = (await runChain("dev")).target;
        shipped.staging = (await soakedFor("prod", () => runChain("staging", [], { [DEV]: asUpstream(shipped.dev) }))).target;
        upstream = { [DEV]: asUpstream(shipped.dev), [STAGING]: asUpstream(shipped.staging) };
        shipped.prod = (await runChain("prod", [], upstream)).target;
    });

    describe("shipped stacks, each with its own policy config", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            it(`${stack}: no violation at all`, async () => {
                const r = await checkPolicies(shipped[stack].resources, { stack });
                assert.equal(r.configFile, policyConfigFile(stack));
                assert.deepEqual(r.violations, []);
                assert.equal(exitCode({ stack, evaluation: shipped[stack], upstream: [], policy: r }), 0);
            });
        }

        it("prod reviewed with dev.json fails on the guard, whatever dev.json makes advisory", async () => {
            const r = await checkPolicies(shipped.prod.resources, { stack: "prod", configFile: policyConfigFile("dev") });
            assert.deepEqual(mandatoryViolations(r).map((v) => v.policy), ["stack-policy-config-environment"]);
        });
    });

    describe("unsafe variants of prod", () => {
        for (const v of VARIANTS) {
            it(`${v.file}: prod ${v.refusedOnProd ? "is refused by config validation" : `fails with ${v.prod.join(", ")}`}`, async () => {
                if (v.refusedOnProd) {
                    let stderr = "";
                    const code = await main(["--stack", "prod", "--config", path.join(UNSAFE, v.file)], { write: () => true }, { write: (t: string) => (stderr += t) });
                    assert.equal(code, 2, stderr);
                    assert.ok(stderr.includes(v.refusedOnProd), stderr);
                    assert.ok(!/\n\s+at /.test(stderr), `no stack trace:\n${stderr}`);
                    return;
                }
                const ev = (await runChain("prod", [readConfigFile(path.join(UNSAFE, v.file))], upstream)).target;
                const r = await checkPolicies(ev.resources, { stack: "prod" });
                assert.deepEqual(policiesOf(r, "mandatory"), [...v.prod].sort(), JSON.stringify(r.violations, null, 1));
                assert.deepEqual(policiesOf(r, "advisory"), []);
            });

            it(`${v.file}: dev gives advisories only`, async () => {
                const overrides = [readConfigFile(path.join(UNSAFE, v.file))];
                if (v.refusedOnDev) {
                    await rejects(runChain("dev", overrides), v.refusedOnDev);
                    return;
                }
                const ev = (await runChain("dev", overrides)).target;
                const r = await checkPolicies(ev.resources, { stack: "dev" });
                assert.deepEqual(mandatoryViolations(r), []);
                assert.deepEqual(policiesOf(r, "advisory"), [...(v.dev ?? [])].sort());
            });
        }
    });

    describe("npm run plan", () => {
        it("exits 1 on an unsafe variant and names the policy (text on stderr, violations in --json)", async () => {
            let stdout = "";
            let stderr = "";
            const code = await main(["--stack", "prod", "--config", path.join(UNSAFE, "no-kms.yaml"), "--json"],
                { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) });
            assert.equal(code, 1);
            assert.equal(stderr, "plan failed: 1 mandatory policy violation(s): cluster-secrets-encryption\n");
            const out = JSON.parse(stdout) as { violations: { policy: string; level: string; resourceType: string; resourceName: string; message: string }[]; policyPack: { config: string } };
            assert.deepEqual(out.violations.map((x) => [x.policy, x.level, x.resourceType, x.resourceName]),
                [["cluster-secrets-encryption", "mandatory", "aws:eks/cluster:Cluster", "delivery-prod-eks"]]);
            assert.match(out.violations[0].message, /has no encryptionConfig: .* Remedy: set delivery:cluster\.encryption\.kms: true/);
            assert.equal(out.policyPack.config, "policy/config/prod.json");
        });

        it("exits 2 on an invalid policy config, before evaluating anything", async () => {
            let stderr = "";
            const code = await main(["--stack", "prod", "--policy-config", path.join(UNSAFE, "one-replica.yaml")], { write: () => true }, { write: (t: string) => (stderr += t) });
            assert.equal(code, 2);
            assert.match(stderr, /^plan failed: Invalid policy config .*one-replica\.yaml \(1 problem\):\n {2}- not valid JSON/);
        });
    });
});

/**
 * The offline check (tools/offline/policy-check.ts): the CLI's config reconciliation, the
 * analyzer's argument shapes, levels, and the unknown-value handling.
 */
import { strict as assert } from "assert";
import { Cluster as EksClusterClass } from "@pulumi/aws/eks";
import { Namespace as NamespaceClass } from "@pulumi/kubernetes/core/v1";
import { policies } from "../../policy/pack";
import {
    PolicyConfigError, reconcilePolicyConfig, renderPolicyReport, resourceValidationArgs, runPolicies, stackValidationArgs,
} from "../../tools/offline/policy-check";
import { PACK_NAME, PACK_VERSION } from "../../policy/pack";
import { UNKNOWN_STRING, change, eks, eksCni, eksInputs, namespace, oidcProvider, resource } from "./fixtures";

function configError(given: unknown): PolicyConfigError {
    try {
        reconcilePolicyConfig(given, "bad.json");
    } catch (e) {
        assert.ok(e instanceof PolicyConfigError, String(e));
        return e;
    }
    return assert.fail("expected the policy config to be refused");
}

describe("offline policy check", () => {
    describe("policy config, reconciled like --policy-pack-config", () => {
        it("without a config every policy runs at its own level (mandatory) with its schema defaults", () => {
            const c = reconcilePolicyConfig(undefined);
            assert.deepEqual(new Set(Object.values(c).map((e) => e.enforcementLevel)), new Set(["mandatory"]));
            assert.deepEqual(c["workload-replicas-minimum"].properties.minReplicas, 3);
            assert.deepEqual(c["cluster-version-floor"].properties, { minimumVersion: "1.30" });
        });

        it("applies `all`, then each policy's own entry (level and parameters)", () => {
            const c = reconcilePolicyConfig({ all: "advisory", "cluster-version-floor": { enforcementLevel: "disabled", minimumVersion: "1.31" } });
            assert.equal(c["cluster-secrets-encryption"].enforcementLevel, "advisory");
            assert.deepEqual(c["cluster-version-floor"], { enforcementLevel: "disabled", properties: { minimumVersion: "1.31" } });
        });

        it("refuses unknown policies, bad levels, unknown or mistyped parameters, all at once", () => {
            const e = configError({
                all: { enforcementLevel: "strict" },
                "cluster-secret-encryption": "mandatory",
                "workload-replicas-minimum": { minReplica: 3, minReplicas: "three" },
                "cluster-endpoint-allowlist": { allowedCidrs: ["203.0.113.0/24", 7] },
            });
            assert.deepEqual(e.problems, [
                "all: enforcement level must be one of advisory, mandatory, remediate, disabled, got \"strict\"",
                `cluster-secret-encryption: is not a policy of ${PACK_NAME} (known: all, ${policies.map((p) => p.name).join(", ")})`,
                "cluster-endpoint-allowlist.allowedCidrs[1] must be string, got 7",
                "workload-replicas-minimum.minReplica: is not a parameter of workload-replicas-minimum (parameters: environment, minReplicas, platformCharts)",
                "workload-replicas-minimum.minReplicas must be integer, got \"three\"",
            ]);
            assert.match(e.message, /^Invalid policy config bad\.json \(5 problems\):\n {2}- all: /);
        });

        it("refuses properties under `all` (the CLI only reads its level)", () => {
            assert.deepEqual(configError({ all: { enforcementLevel: "advisory", environment: "development" } }).problems,
                ["all: only takes an enforcement level; properties (environment) go under each policy"]);
        });
    });

    describe("arguments, shaped like the analyzer's", () => {
        it("ResourceValidationArgs carry type, name, urn, proxied inputs, options (protect, parent), provider and config", () => {
            const provider = resource("pulumi:providers:kubernetes", "delivery-prod-k8s", { enableServerSideApply: "true" });
            const ns = { ...namespace(), provider: `${provider.urn}::delivery-prod-k8s-id` };
            const args = resourceValidationArgs(ns, { level: "restricted" }, [provider, ns]);
            assert.equal(args.type, "kubernetes:core/v1:Namespace");
            assert.equal(args.name, "storefront-ns");
            assert.equal(args.urn, "urn:pulumi:prod::delivery::kubernetes:core/v1:Namespace::storefront-ns");
            assert.deepEqual(args.opts, { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] });
            assert.equal(args.props.metadata.name, "storefront-prod");
            assert.deepEqual(args.getConfig(), { level: "restricted" });
            assert.equal(args.provider?.name, "delivery-prod-k8s");
            assert.equal(args.stackTags.size, 0);
            assert.equal(args.isType(NamespaceClass), true);
            assert.equal(args.isType(EksClusterClass), false);
            assert.equal(args.asType(NamespaceClass)?.metadata?.name, "storefront-prod");
            assert.throws(() => args.notApplicable("no"), /no/);
            const protectedEks = resourceValidationArgs(eks());
            assert.equal(protectedEks.opts.protect, true);
            assert.match(protectedEks.opts.parent ?? "", /delivery:cluster:EksCluster::delivery-prod$/);
        });

        it("touching an unknown input throws the analyzer's UnknownValueError", () => {
            const args = resourceValidationArgs(eks(change(eksInputs(), "version", UNKNOWN_STRING)));
            assert.throws(() => args.props.version, /string value at \.version can't be known during preview/);
        });

        it("StackValidationArgs list every resource with its parent linked", () => {
            const parent = resource("delivery:cluster:EksCluster", "delivery-prod", {});
            const child = { ...oidcProvider(), parent: parent.urn };
            const args = stackValidationArgs([parent, child]);
            assert.equal(args.resources.length, 2);
            assert.equal(args.resources[1].parent?.name, "delivery-prod");
            assert.deepEqual(args.resources[1].dependencies, []);
        });
    });

    describe("running the pack", () => {
        // The stack's budget is there: these cases are about the cluster.
        const budget = () => resource("aws:budgets/budget:Budget", "storefront-budget", { budgetType: "COST", limitAmount: "2500" });
        const unsafe = () => [eks(change(eksInputs(), "encryptionConfig", undefined), { protect: false }), oidcProvider(), eksCni(), budget()];

        it("reports violations at each policy's configured level, about the resource they name", async () => {
            const config = reconcilePolicyConfig({ all: "advisory", "cluster-secrets-encryption": "mandatory" });
            const found = (await runPolicies(unsafe(), config)).map((v) => [v.policy, v.level, v.resourceType, v.resourceName]);
            assert.deepEqual(found, [
                ["cluster-secrets-encryption", "mandatory", "aws:eks/cluster:Cluster", "delivery-prod-eks"],
                ["cluster-deletion-protection", "advisory", "aws:eks/cluster:Cluster", "delivery-prod-eks"],
            ]);
        });

        it("skips disabled policies", async () => {
            const config = reconcilePolicyConfig({ "cluster-secrets-encryption": "disabled", "cluster-deletion-protection": "disabled" });
            assert.deepEqual(await runPolicies(unsafe(), config), []);
        });

        it("reports a policy that meets an unknown value as advisory, even when it is mandatory", async () => {
            const preview = [eks(change(eksInputs(), "version", UNKNOWN_STRING)), oidcProvider(), eksCni(), budget()];
            const v = await runPolicies(preview, reconcilePolicyConfig({}));
            assert.deepEqual(v.map((x) => [x.policy, x.level, x.message]), [[
                "cluster-version-floor", "advisory",
                `can't run policy 'cluster-version-floor' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: string value at .version can't be known during preview`,
            ]]);
        });

        it("prints violations grouped by level", async () => {
            const config = reconcilePolicyConfig({ all: "advisory", "cluster-secrets-encryption": "mandatory" });
            const text = renderPolicyReport({ pack: { name: PACK_NAME, version: PACK_VERSION }, levels: Object.fromEntries(Object.entries(config).map(([k, e]) => [k, e.enforcementLevel])), violations: await runPolicies(unsafe(), config) });
            assert.match(text, new RegExp(`^Policy pack ${PACK_NAME} ${PACK_VERSION.replace(/\./g, "\\.")}: ${policies.length} policies \\(1 mandatory, ${policies.length - 1} advisory\\); config none`));
            assert.ok(text.indexOf("Mandatory violations (1) — these block the deployment:\n  [cluster-secrets-encryption] aws:eks/cluster:Cluster  delivery-prod-eks") > 0);
            assert.ok(text.indexOf("Advisory violations (1):\n  [cluster-deletion-protection]") > text.indexOf("Mandatory"));
        });
    });
});

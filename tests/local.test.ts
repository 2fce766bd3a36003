import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateChain } from "../tools/offline/chain";
import { readConfigFile, stackFile } from "../tools/offline/stackfile";
import { localConfig, withLocalVault } from "../tools/local/overlay";
import { missingToolchain } from "../tools/local/environment";
import { fakeDocument, resolvedConfig } from "../tools/local/stores";
import { Evaluation, cfg, ofType, one } from "./harness";

/**
 * The local overlay (what `npm run local` and the e2e tests change in a shipped stack to run it on
 * the loopback control plane): only Kubernetes objects, nothing from the internet;
 * the application, namespace and release exactly as shipped.
 */
describe("local environment overlay", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-local-test-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const evaluate = async (stack: string) => {
        const shipped = await evaluateChain(stack, readConfigFile(stackFile(stack)));
        // The local cluster carries the production marker (toolchain/local-cluster.sh), so prod may run on it.
        process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT = "production";
        try {
            const local = await evaluateChain(stack, localConfig(stack, readConfigFile(stackFile(stack)), kubeconfig));
            return { shipped: shipped.target, local: local.target };
        } finally {
            delete process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT;
        }
    };
    const types = (ev: Evaluation) => [...new Set(ev.resources.map((r) => r.type))];

    for (const stack of ["dev", "staging", "prod"]) {
        describe(`the shipped ${stack} stack`, () => {
            let shipped: Evaluation;
            let local: Evaluation;
            before(async () => ({ shipped, local } = await evaluate(stack)));

            it("registers only Kubernetes objects and components: no cloud resources", () => {
                const foreign = types(local).filter((t) => !/^(kubernetes:|pulumi:|pulumi:providers:kubernetes$|delivery:)/.test(t));
                assert.deepEqual(foreign, []);
                assert.ok(types(shipped).some((t) => t.startsWith("aws:")), "the shipped stack does create AWS resources");
            });

            it("targets the local kubeconfig through an explicit provider", () => {
                const provider = one(local, "pulumi:providers:kubernetes");
                assert.match(String(provider.inputs.kubeconfig), /kind: Config/);
            });

            it("installs nothing from a chart repository and waits for the rollout as shipped", () => {
                assert.deepEqual(ofType(local, "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart), []);
                const charts = ofType(local, "kubernetes:helm.sh/v4:Chart");
                assert.deepEqual(charts.map((r) => [r.inputs.chart, r.inputs.skipAwait]), [["./charts/app", false]]);
            });

            it("keeps the app's values, namespace and release as shipped", () => {
                const values = (ev: Evaluation) => {
                    const v = { ...one(ev, "kubernetes:helm.sh/v4:Chart", "-chart").inputs.values };
                    delete v.serviceAccount; // annotations name the identity, which differs by design
                    // The local stack leaves DNS and certificates to the cloud stacks: no issuer annotation.
                    v.ingress = { ...v.ingress };
                    delete v.ingress.annotations;
                    return v;
                };
                assert.deepEqual(values(local), values(shipped));
                const ns = (ev: Evaluation) => one(ev, "kubernetes:core/v1:Namespace", "storefront-ns").inputs.metadata;
                assert.deepEqual(ns(local), ns(shipped));
                assert.deepEqual(local.outputs.release, shipped.outputs.release);
                assert.deepEqual(ofType(local, "kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs.spec),
                    ofType(shipped, "kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs.spec));
            });
        });
    }

    it("turns the soak off (a rehearsal cannot wait hours between two stacks) and changes no other promotion setting", () => {
        const shipped = readConfigFile(stackFile("prod"));
        const local = localConfig("prod", shipped, kubeconfig);
        assert.equal((shipped["delivery:promotion"] as { soak: string }).soak, "2h");
        assert.deepEqual(local["delivery:promotion"], { ...(shipped["delivery:promotion"] as object), soak: "0s" });
        assert.deepEqual([local["delivery:verification"], local["delivery:freeze"], local["delivery:pin"]],
            [shipped["delivery:verification"], shipped["delivery:freeze"], shipped["delivery:pin"]]);
        assert.deepEqual(localConfig("staging", readConfigFile(stackFile("staging")), kubeconfig)["delivery:promotion"], readConfigFile(stackFile("staging"))["delivery:promotion"]);
    });

    it("names an existing identity for Azure and GCP stores and refuses a Vault store with the stack named", () => {
        const shipped = readConfigFile(stackFile("dev"));
        const withStores = (...stores: object[]) => ({ ...shipped, ...cfg("secrets", { stores }) });
        const out = localConfig("dev", withStores({ provider: "azure" }, { provider: "gcp" }), kubeconfig)["delivery:secrets"] as { stores: Record<string, unknown>[] };
        assert.ok(out.stores[0].clientId && out.stores[0].tenantId && out.stores[0].vaultUrl);
        assert.ok(out.stores[1].serviceAccountEmail && out.stores[1].project);
        assert.throws(() => localConfig("dev", withStores({ provider: "vault", server: "https://vault.acme.example:8200" }), kubeconfig),
            /stack dev: secret store provider "vault" needs a server/);
    });

    it("lists what a toolchain directory lacks, by path", () => {
        const missing = missingToolchain(dir);
        assert.ok(missing.includes("bin/pulumi") && missing.includes("bin/kube-apiserver"));
        for (const piece of ["bin/kwok", "bin/external-secrets", "fixtures/external-secrets/crds.yaml", "bin/kumo"]) {
            assert.ok(missing.includes(piece), `${piece} is required`);
        }
        assert.ok(!missing.includes("bin/vault"), "Vault is optional: its cases say loudly when it is missing");
    });

    it("adds a Vault store in the existing-role mode, per environment, that the program's config accepts", () => {
        const vault = { addr: "https://127.0.0.1:8200", caCert: "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n" };
        for (const [stack, env, short] of [["dev", "development", "dev"], ["prod", "production", "prod"]] as const) {
            const config = withLocalVault(localConfig(stack, readConfigFile(stackFile(stack)), kubeconfig), stack, env, vault);
            const parsed = resolvedConfig(stack, config);
            const store = parsed.secrets.stores.find((s) => s.name === "vault");
            assert.deepEqual(store && store.provider === "vault" && [store.role, store.mount, store.authMount, store.server],
                [`storefront-${short}`, `kv-${short}`, `kubernetes-${short}`, vault.addr]);
            assert.deepEqual(parsed.secrets.stores.map((s) => s.provider), ["aws", "vault"], "the shipped store stays first");
            assert.ok(parsed.secrets.secrets.some((d) => d.store === "vault"));
        }
    });

    it("seeds obviously fake values: one per property, different per stack and generation", () => {
        assert.deepEqual(Object.keys(fakeDocument("dev", { name: "database" })), ["username", "password"]);
        assert.deepEqual(Object.keys(fakeDocument("dev", { name: "payments", property: "apiKey" })), ["apiKey"]);
        assert.match(fakeDocument("prod", { name: "database" }).password, /^fake-prod-database-password-not-a-real-secret-1$/);
        assert.notEqual(fakeDocument("dev", { name: "database" }, 2).password, fakeDocument("dev", { name: "database" }, 1).password);
    });
});

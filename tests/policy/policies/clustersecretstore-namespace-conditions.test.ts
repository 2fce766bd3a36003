import { change, check, clusterSecretStore, clusterSecretStoreInputs, fails, notApplicable, pack, passes, resource, secretStore } from "../fixtures";

const policy = pack("clustersecretstore-namespace-conditions");
const REMEDY = "Remedy: list the namespaces that may use the store in delivery:secrets.clusterStore.namespaces (spec.conditions[].namespaces).";

describe("clustersecretstore-namespace-conditions", () => {
    it("passes a ClusterSecretStore narrowed to the app's namespace", async () => {
        passes(await check(policy, clusterSecretStore()));
    });

    it("passes a namespaceSelector condition", async () => {
        passes(await check(policy, clusterSecretStore(change(clusterSecretStoreInputs(), "spec.conditions", [{ namespaceSelector: { matchLabels: { "app.kubernetes.io/part-of": "storefront" } } }]))));
    });

    it("fails a ClusterSecretStore without conditions", async () => {
        fails(await check(policy, clusterSecretStore(change(clusterSecretStoreInputs(), "spec.conditions", undefined))),
            `ClusterSecretStore storefront-secrets-cluster-store has no spec.conditions, so any namespace may read through it. ${REMEDY}`);
    });

    it("fails a condition that names nothing", async () => {
        fails(await check(policy, clusterSecretStore(change(clusterSecretStoreInputs(), "spec.conditions", [{ namespaceSelector: {} }]))),
            `ClusterSecretStore storefront-secrets-cluster-store: spec.conditions[0]: a condition names no namespaces, namespaceSelector or namespaceRegexes. ${REMEDY}`);
    });

    it("fails a namespace regex that matches everything", async () => {
        fails(await check(policy, clusterSecretStore(change(clusterSecretStoreInputs(), "spec.conditions", [{ namespaceRegexes: [".*"] }]))),
            `ClusterSecretStore storefront-secrets-cluster-store: spec.conditions[0]: namespaceRegexes [".*"] match every namespace. ${REMEDY}`);
    });

    it("applies to the v1beta1 API too, and not to namespaced SecretStores", async () => {
        const beta = resource("kubernetes:external-secrets.io/v1beta1:ClusterSecretStore", "old", change(clusterSecretStoreInputs(), "spec.conditions", undefined));
        fails(await check(policy, beta), `ClusterSecretStore old has no spec.conditions, so any namespace may read through it. ${REMEDY}`);
        notApplicable(await check(policy, secretStore()), "applies to");
    });
});

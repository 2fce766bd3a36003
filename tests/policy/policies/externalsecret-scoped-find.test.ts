import { change, check, externalSecret, externalSecretInputs, fails, pack, passes, resource } from "../fixtures";

const policy = pack("externalsecret-scoped-find");
const REMEDY = "Remedy: use data[].remoteRef or dataFrom.extract for named secrets (delivery:secrets.secrets), or narrow find.name.regexp / find.tags.";

describe("externalsecret-scoped-find", () => {
    it("passes named secrets (extract, remoteRef) and narrow finds", async () => {
        passes(await check(policy, externalSecret()));
        passes(await check(policy, externalSecret(change(externalSecretInputs(), "spec.dataFrom", [{ find: { name: { regexp: "^production/storefront/.*" } } }]))));
        passes(await check(policy, externalSecret(change(externalSecretInputs(), "spec.dataFrom", [{ find: { tags: { app: "storefront" } } }]))));
    });

    it("fails a find whose name pattern matches everything", async () => {
        fails(await check(policy, externalSecret(change(externalSecretInputs(), "spec.dataFrom", [{ find: { name: { regexp: ".*" } } }]))),
            `ExternalSecret storefront-secrets-database: dataFrom[0].find.name.regexp ".*" copies every secret the store can read. ${REMEDY}`);
    });

    it("fails a find with neither name nor tags", async () => {
        fails(await check(policy, externalSecret(change(externalSecretInputs(), "spec.dataFrom", [{ extract: { key: "a" } }, { find: { path: "/" } }]))),
            `ExternalSecret storefront-secrets-database: dataFrom[1].find has neither name nor tags, so it copies every secret the store can read. ${REMEDY}`);
    });

    it("reads a ClusterExternalSecret's template", async () => {
        const ces = resource("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "all", {
            spec: { namespaceSelectors: [{ matchLabels: { team: "web" } }], externalSecretSpec: { secretStoreRef: { name: "vault", kind: "ClusterSecretStore" }, dataFrom: [{ find: { name: { regexp: "^.+$" } } }] } },
        });
        fails(await check(policy, ces), `ExternalSecret all: dataFrom[0].find.name.regexp "^.+$" copies every secret the store can read. ${REMEDY}`);
    });
});

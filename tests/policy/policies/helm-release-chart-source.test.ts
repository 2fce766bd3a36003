import { check, esoRelease, fails, notApplicable, pack, passes, release, resource } from "../fixtures";

const policy = pack("helm-release-chart-source");
const chart = (inputs: object, stack = "prod") => resource("kubernetes:helm.sh/v4:Chart", "storefront-chart", { namespace: "storefront-prod", ...inputs }, { stack });

describe("helm-release-chart-source", () => {
    it("passes the bundled chart, a chart directory of the repository and the platform charts' repositories", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, chart({ chart: "./charts/spark-connect" })));
        passes(await check(policy, esoRelease()));
    });

    it("fails a production chart from a repository or registry nobody allowed", async () => {
        fails(await check(policy, chart({ chart: "oci://registry.example.net/charts/app", version: "1.0.0" })),
            "Helm chart storefront-chart comes from oci://registry.example.net/charts/app, which is not an allowed production chart source " +
            "(./charts/, https://charts.external-secrets.io/, https://bitnami-labs.github.io/sealed-secrets/, https://charts.jetstack.io/, https://kubernetes-sigs.github.io/external-dns/). " +
            "Remedy: use a chart from an allowed source, or have the platform team add the source to allowedSources in policy/config/prod.json.");
    });

    it("takes the allowed sources from policy config, and does not apply outside production", async () => {
        passes(await check(policy, chart({ chart: "oci://registry.example.net/charts/app" }), { allowedSources: ["oci://registry.example.net/charts/"] }));
        notApplicable(await check(policy, chart({ chart: "oci://registry.example.net/charts/app" }, "dev")), "production only");
    });
});

import { change, check, esoRelease, fails, notApplicable, pack, passes, release, releaseInputs, resource, deployment } from "../fixtures";

const policy = pack("helm-release-chart-pinned");
const REMEDY = "Remedy: set an exact chart version (delivery:chart.version, or the release's chartVersion).";
const repo = (version: unknown) => change(change(change(releaseInputs(), "chart", "storefront"), "repositoryOpts", { repo: "https://charts.acme.io" }), "version", version);

describe("helm-release-chart-pinned", () => {
    it("passes the bundled chart (pinned by its Chart.yaml) and repository charts at exact versions", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, release(change(releaseInputs(), "version", undefined))));
        passes(await check(policy, esoRelease()));
        passes(await check(policy, release(repo("0.4.1-rc.1"))));
    });

    it("fails a repository chart without a version", async () => {
        fails(await check(policy, release(repo(undefined))),
            `Helm release storefront-helm (chart storefront) has no chart version, so every install takes whatever the repository serves as newest. ${REMEDY}`);
    });

    it("fails a version range", async () => {
        fails(await check(policy, release(repo("^0.4.0"))),
            `Helm release storefront-helm (chart storefront) asks for chart version "^0.4.0", which is not an exact version. ${REMEDY}`);
    });

    it("fails latest and wildcards", async () => {
        fails(await check(policy, release(repo("latest"))),
            `Helm release storefront-helm (chart storefront) asks for chart version "latest", which is not an exact version. ${REMEDY}`);
        fails(await check(policy, release(repo("1.x"))),
            `Helm release storefront-helm (chart storefront) asks for chart version "1.x", which is not an exact version. ${REMEDY}`);
    });

    it("applies to Helm v4 Charts and OCI references", async () => {
        const oci = resource("kubernetes:helm.sh/v4:Chart", "ingress", { chart: "oci://ghcr.io/acme/charts/edge", namespace: "edge" });
        fails(await check(policy, oci),
            `Helm release ingress (chart oci://ghcr.io/acme/charts/edge) has no chart version, so every install takes whatever the repository serves as newest. ${REMEDY}`);
    });

    it("does not apply to other resources", async () => {
        notApplicable(await check(policy, deployment()), "applies to");
    });
});

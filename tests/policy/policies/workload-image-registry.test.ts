import { CONTAINER, change, check, deployment, deploymentInputs, esoRelease, fails, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-image-registry");

describe("workload-image-registry", () => {
    it("passes images from ghcr.io/acme, and releases that leave images to their chart", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
        passes(await check(policy, esoRelease()));
    });

    it("fails a release image from Docker Hub", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.image.repository", "docker.io/library/nginx"))),
            "Helm release storefront-helm (chart ./charts/app) pulls docker.io/library/nginx (values.image), which is not under an allowed registry (ghcr.io/acme/). " +
            "Remedy: publish the image to an allowed registry and point delivery:app.image at it.");
    });

    it("resolves short Docker Hub names in pod specs", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.image`, "nginx:1.27"))),
            "Deployment api container api pulls nginx:1.27, which is not under an allowed registry (ghcr.io/acme/). Remedy: mirror the image into an allowed registry (ghcr.io/acme/) and reference it from there.");
    });

    it("does not accept a look-alike organisation", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.image`, "ghcr.io/acme-evil/api:1.0.0"))),
            "Deployment api container api pulls ghcr.io/acme-evil/api:1.0.0, which is not under an allowed registry (ghcr.io/acme/). Remedy: mirror the image into an allowed registry (ghcr.io/acme/) and reference it from there.");
    });

    it("joins a chart's separate registry and repository values", async () => {
        const bitnami = change(releaseInputs(), "values.image", { registry: "docker.io", repository: "bitnami/redis", tag: "7.4.1" });
        fails(await check(policy, release(bitnami)),
            "Helm release storefront-helm (chart ./charts/app) pulls docker.io/bitnami/redis (values.image), which is not under an allowed registry (ghcr.io/acme/). " +
            "Remedy: publish the image to an allowed registry and point delivery:app.image at it.");
        passes(await check(policy, release(bitnami), { allowedRegistries: ["docker.io/bitnami"] }));
    });
});

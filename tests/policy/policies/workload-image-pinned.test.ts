import { CONTAINER, change, check, deployment, deploymentInputs, fails, pack, passes, release, releaseInputs } from "../fixtures";

const policy = pack("workload-image-pinned");
const HELM_REMEDY = "Remedy: promote a versioned release (delivery:release.version, optionally imageDigest); for a pin use the version's tag, never latest.";
const POD_REMEDY = "Remedy: pin the image to a version tag or a digest (image@sha256:…).";
const DIGEST = "sha256:" + "ab".repeat(32);

describe("workload-image-pinned", () => {
    it("passes version tags and digests", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, deployment()));
        passes(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.image`, `ghcr.io/acme/api@${DIGEST}`))));
    });

    it("fails a release that runs the latest tag", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.image.tag", "latest"))),
            `Helm release storefront-helm (chart ./charts/app) runs ghcr.io/acme/storefront:latest (values.image.tag), a moving tag. ${HELM_REMEDY}`);
    });

    it("treats other moving tags the same, whatever their case", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.image.tag", "Main"))),
            `Helm release storefront-helm (chart ./charts/app) runs ghcr.io/acme/storefront:Main (values.image.tag), a moving tag. ${HELM_REMEDY}`);
    });

    it("fails an empty tag without a digest", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.image.tag", ""))),
            `Helm release storefront-helm (chart ./charts/app) sets an empty image tag and no digest at values.image (ghcr.io/acme/storefront). ${HELM_REMEDY}`);
    });

    it("passes latest when a digest pins the image", async () => {
        passes(await check(policy, release(change(change(releaseInputs(), "values.image.tag", "latest"), "values.image.digest", DIGEST))));
    });

    it("fails a container image without tag or digest", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.image`, "ghcr.io/acme/api"))),
            `Deployment api container api runs ghcr.io/acme/api without a tag or digest, which pulls latest. ${POD_REMEDY}`);
    });

    it("fails a container image on :latest", async () => {
        fails(await check(policy, deployment(change(deploymentInputs(), `${CONTAINER}.image`, "ghcr.io/acme/api:latest"))),
            `Deployment api container api runs ghcr.io/acme/api:latest, a moving tag. ${POD_REMEDY}`);
    });

    it("takes the moving tags from policy config", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.image.tag", "canary")), { mutableTags: ["canary"] }),
            `Helm release storefront-helm (chart ./charts/app) runs ghcr.io/acme/storefront:canary (values.image.tag), a moving tag. ${HELM_REMEDY}`);
    });
});

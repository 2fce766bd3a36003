import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("workload-image-promoted");
const REMEDY = "Remedy: remove the image tag, digest or repository from delivery:values and delivery:valuesFiles, and point delivery:chart.imageValues at the values the chart builds its image from; the release comes from promotion or delivery:pin.";
const NS = "storefront-prod";
const DIGEST = `sha256:${"a".repeat(64)}`;
const OTHER_DIGEST = `sha256:${"b".repeat(64)}`;

const record = (image = "ghcr.io/acme/storefront:1.8.3", extra: Record<string, string> = {}, stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } }, data: { version: "1.8.3", image, ...extra },
}, { stack });
const workload = (image: string, opts: { kind?: string; name?: string; colour?: string; sidecar?: string; stack?: string } = {}) => {
    const containers = [{ name: "app", image }, ...(opts.sidecar ? [{ name: "proxy", image: opts.sidecar }] : [])];
    const pod = { metadata: { labels: opts.colour ? { "delivery.example.com/colour": opts.colour } : {} }, spec: { containers } };
    const kind = opts.kind ?? "Deployment";
    return resource(kind === "Job" ? "kubernetes:batch/v1:Job" : "kubernetes:apps/v1:Deployment", opts.name ?? "storefront", {
        metadata: { name: opts.name ?? "storefront", namespace: NS }, spec: { template: pod },
    }, { stack: opts.stack ?? "prod" });
};
const rollout = (colours: Record<string, { imageTag: string; imageDigest?: string }>) => ({ rollout: JSON.stringify({ active: "blue", colours }) });

describe("workload-image-promoted", () => {
    it("passes the app running the recorded tag, next to a sidecar and the smoke Job of other images", async () => {
        passes(await checkStack(policy, [record(), workload("ghcr.io/acme/storefront:1.8.3", { sidecar: "ghcr.io/acme/proxy:2.0.1" }),
            workload("ghcr.io/acme/smoke-check:1.4.0", { kind: "Job", name: "storefront-smoke" })]));
    });

    it("fails a container of the app's image at another tag than the record's", async () => {
        fails(await checkStack(policy, [record(), workload("ghcr.io/acme/storefront:hotfix")]),
            `Deployment storefront container app runs ghcr.io/acme/storefront:hotfix, but the release record of ${NS} promoted ghcr.io/acme/storefront:1.8.3. ${REMEDY}`);
    });

    it("fails a digest beside the recorded tag, and another digest than a recorded one", async () => {
        fails(await checkStack(policy, [record(), workload(`ghcr.io/acme/storefront:1.8.3@${OTHER_DIGEST}`)]),
            `Deployment storefront container app runs ghcr.io/acme/storefront:1.8.3@${OTHER_DIGEST}, but the release record of ${NS} promoted ghcr.io/acme/storefront:1.8.3. ${REMEDY}`);
        fails(await checkStack(policy, [record(`ghcr.io/acme/storefront@${DIGEST}`), workload(`ghcr.io/acme/storefront@${OTHER_DIGEST}`)]),
            `Deployment storefront container app runs ghcr.io/acme/storefront@${OTHER_DIGEST}, but the release record of ${NS} promoted ghcr.io/acme/storefront@${DIGEST}. ${REMEDY}`);
        passes(await checkStack(policy, [record(`ghcr.io/acme/storefront@${DIGEST}`), workload(`ghcr.io/acme/storefront:1.8.3@${DIGEST}`)]));
    });

    it("fails an app that does not run the promoted image at all (its repository swapped)", async () => {
        fails(await checkStack(policy, [record(), workload("ghcr.io/acme/checkout:hotfix")]),
            `no workload of the app in ${NS} runs the promoted image ghcr.io/acme/storefront:1.8.3 (they run ghcr.io/acme/checkout:hotfix). ${REMEDY}`);
    });

    it("accepts a chart that composes its own repositories around the promoted tag (an umbrella's subcharts)", async () => {
        passes(await checkStack(policy, [record(), workload("ghcr.io/acme/shop-api:1.8.3", { name: "shop-api" }), workload("ghcr.io/acme/shop-web:1.8.3", { name: "shop-web" })]));
        fails(await checkStack(policy, [record(), workload("ghcr.io/acme/shop-api:2.0.0", { name: "shop-api" })]),
            `no workload of the app in ${NS} runs the promoted image ghcr.io/acme/storefront:1.8.3 (they run ghcr.io/acme/shop-api:2.0.0). ${REMEDY}`);
    });

    it("holds each blue-green colour to its own colour's release", async () => {
        const colours = rollout({ blue: { imageTag: "1.8.3" }, green: { imageTag: "1.9.0" } });
        passes(await checkStack(policy, [record("ghcr.io/acme/storefront:1.8.3", colours),
            workload("ghcr.io/acme/storefront:1.8.3", { colour: "blue", name: "storefront-blue" }), workload("ghcr.io/acme/storefront:1.9.0", { colour: "green", name: "storefront-green" })]));
        fails(await checkStack(policy, [record("ghcr.io/acme/storefront:1.8.3", colours),
            workload("ghcr.io/acme/storefront:1.8.3", { colour: "blue", name: "storefront-blue" }), workload("ghcr.io/acme/storefront:1.8.3", { colour: "green", name: "storefront-green" })]),
        `Deployment storefront-green container app runs ghcr.io/acme/storefront:1.8.3, but the release record of ${NS} promoted ghcr.io/acme/storefront:1.9.0. ${REMEDY}`);
    });

    it("does not apply to staging", async () => {
        notApplicable(await checkStack(policy, [record(undefined, {}, "staging"), workload("ghcr.io/acme/storefront:hotfix", { stack: "staging" })]), "applies to production only");
    });
});

import { change, check, fails, notApplicable, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("ingress-tls");
const ingress = (spec: object) => resource("kubernetes:networking.k8s.io/v1:Ingress", "api", {
    metadata: { name: "api", namespace: "storefront-prod", labels: { "delivery.example.com/environment": "production" } },
    spec: { ingressClassName: "nginx", rules: [{ host: "api.acme.example" }], ...spec },
});

describe("ingress-tls", () => {
    it("passes the release's TLS ingress and an Ingress with spec.tls", async () => {
        passes(await check(policy, release()));
        passes(await check(policy, ingress({ tls: [{ hosts: ["api.acme.example"], secretName: "api-tls" }] })));
    });

    it("fails a release whose ingress has TLS off", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.ingress.tls", false))),
            "Helm release storefront-helm (chart ./charts/app) serves its ingress without TLS (values.ingress.tls is false). Remedy: set delivery:app.ingress.tls: true.");
    });

    it("fails an Ingress without spec.tls", async () => {
        fails(await check(policy, ingress({})),
            "Ingress api has no spec.tls, so it serves plain HTTP. Remedy: add spec.tls with the host names and a certificate Secret (e.g. from cert-manager).");
    });

    it("fails an Ingress that turns ingress-nginx's HTTPS redirect off", async () => {
        const tls = { tls: [{ hosts: ["api.acme.example"], secretName: "api-tls" }] };
        const noRedirect = change(ingress(tls), "inputs.metadata.annotations", { "nginx.ingress.kubernetes.io/ssl-redirect": "False" });
        fails(await check(policy, noRedirect),
            'Ingress api sets nginx.ingress.kubernetes.io/ssl-redirect: "false", so it also serves plain HTTP. Remedy: remove the nginx.ingress.kubernetes.io/ssl-redirect annotation (from delivery:values ingress.annotations).');
    });

    it("fails a rule host that no TLS entry lists", async () => {
        fails(await check(policy, ingress({ tls: [{ hosts: ["www.acme.example"], secretName: "api-tls" }] })),
            "Ingress api serves api.acme.example, which no spec.tls entry lists, so that host is served over plain HTTP. Remedy: list every rule's host in spec.tls[].hosts.");
    });

    it("ignores a disabled ingress, and does not apply outside production", async () => {
        passes(await check(policy, release(change(change(releaseInputs(), "values.ingress.enabled", false), "values.ingress.tls", false))));
        const dev = change(change(releaseInputs(), "values.ingress.tls", false), "values.environment", "development");
        notApplicable(await check(policy, release(dev, { stack: "dev" })), "production only");
    });
});

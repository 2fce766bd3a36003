import { change, check, fails, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("ingress-controller-snippets");
const REMEDY = "Remedy: remove the snippet annotation from delivery:values ingress.annotations; ask for the behaviour through the controller's dedicated annotations or its own configuration.";
const ingress = (annotations: Record<string, string>) => resource("kubernetes:networking.k8s.io/v1:Ingress", "api", {
    metadata: { name: "api", namespace: "storefront-prod", annotations },
    spec: { ingressClassName: "nginx", tls: [{ hosts: ["api.acme.example"], secretName: "api-tls" }], rules: [{ host: "api.acme.example" }] },
});

describe("ingress-controller-snippets", () => {
    it("passes an Ingress with the issuer and ordinary controller annotations", async () => {
        passes(await check(policy, ingress({ "cert-manager.io/cluster-issuer": "letsencrypt-production", "nginx.ingress.kubernetes.io/proxy-body-size": "8m" })));
        passes(await check(policy, release()));
    });

    it("fails configuration and server snippets on an Ingress", async () => {
        fails(await check(policy, ingress({ "nginx.ingress.kubernetes.io/server-snippet": "location /admin { allow all; }", "nginx.ingress.kubernetes.io/configuration-snippet": "more_set_headers 'X: y';" })),
            `Ingress api has the snippet annotation nginx.ingress.kubernetes.io/configuration-snippet: it pastes raw configuration into the shared ingress controller. ${REMEDY}`,
            `Ingress api has the snippet annotation nginx.ingress.kubernetes.io/server-snippet: it pastes raw configuration into the shared ingress controller. ${REMEDY}`);
    });

    it("reads other controllers' snippets and Helm values too", async () => {
        fails(await check(policy, ingress({ "haproxy.org/backend-config-snippet": "http-request allow" })),
            `Ingress api has the snippet annotation haproxy.org/backend-config-snippet: it pastes raw configuration into the shared ingress controller. ${REMEDY}`);
        fails(await check(policy, release(change(releaseInputs(), "values.ingress.annotations", { "nginx.ingress.kubernetes.io/auth-snippet": "return 200;" }))),
            `Helm release storefront-helm (chart ./charts/app) sets the snippet annotation nginx.ingress.kubernetes.io/auth-snippet (values.ingress.annotations.nginx.ingress.kubernetes.io/auth-snippet). ${REMEDY}`);
    });
});

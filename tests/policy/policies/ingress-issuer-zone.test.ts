import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("ingress-issuer-zone");
const REMEDY = "Remedy: set delivery:tls.acme: production (the default in production) and delivery:app.ingress.host inside delivery:dns.zone.";
const NS = "storefront-prod";
const PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
const STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

const zone = (name = "acme.example", stack = "prod") => resource("aws:route53/zone:Zone", "storefront-dns-zone", { name }, { stack });
const issuer = (server = PRODUCTION, name = "letsencrypt-production") => resource("kubernetes:cert-manager.io/v1:ClusterIssuer", "storefront-dns-issuer", {
    apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name }, spec: { acme: { server, email: "platform@acme.example" } },
}, { stack: "prod" });
const ingress = (host = "storefront.acme.example", annotations: Record<string, string> = { "cert-manager.io/cluster-issuer": "letsencrypt-production" }, stack = "prod") =>
    resource("kubernetes:networking.k8s.io/v1:Ingress", "storefront-chart:storefront-prod/storefront", {
        metadata: { name: "storefront", namespace: NS, annotations },
        spec: { tls: [{ hosts: [host], secretName: "storefront-tls" }], rules: [{ host }] },
    }, { stack });
const record = (data: Record<string, string>) => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } }, data: { version: "1.8.3", ...data },
}, { stack: "prod" });

describe("ingress-issuer-zone", () => {
    it("passes an Ingress asking the stack's production ClusterIssuer for a host inside the zone (or the apex)", async () => {
        passes(await checkStack(policy, [zone(), issuer(), ingress()]));
        passes(await checkStack(policy, [zone(), issuer(), ingress("acme.example")]));
    });

    it("fails an Ingress whose issuer uses Let's Encrypt's staging directory", async () => {
        fails(await checkStack(policy, [zone(), issuer(STAGING), ingress()]),
            `Ingress storefront takes its certificate from ClusterIssuer letsencrypt-production, whose ACME directory ${STAGING} is not a production one (${PRODUCTION}): browsers would not trust it. ${REMEDY}`);
    });

    it("fails an Ingress that asks no issuer, or an issuer the stack does not create", async () => {
        fails(await checkStack(policy, [zone(), issuer(), ingress("storefront.acme.example", {})]),
            `Ingress storefront asks no ClusterIssuer for its certificate (no cert-manager.io/cluster-issuer annotation). ${REMEDY}`);
        fails(await checkStack(policy, [zone(), issuer(), ingress("storefront.acme.example", { "cert-manager.io/cluster-issuer": "letsencrypt" })]),
            `Ingress storefront asks ClusterIssuer letsencrypt, which this stack does not create, so production cannot show that it is a production issuer. ${REMEDY}`);
    });

    it("fails a host outside the zone, including a name that only ends like it", async () => {
        fails(await checkStack(policy, [zone(), issuer(), ingress("storefront.acme.test")]),
            `Ingress storefront serves storefront.acme.test, outside production's zone (acme.example). ${REMEDY}`);
        fails(await checkStack(policy, [zone(), issuer(), ingress("storefront.notacme.example")]),
            `Ingress storefront serves storefront.notacme.example, outside production's zone (acme.example). ${REMEDY}`);
    });

    it("fails a wildcard host even inside the zone, and a rule without a host", async () => {
        const HOST_REMEDY = "Remedy: serve exact host names: delivery:app.ingress.host, and no ingress host or rule through delivery:values or delivery:valuesFiles.";
        fails(await checkStack(policy, [zone(), issuer(), ingress("*.acme.example")]),
            `Ingress storefront serves the wildcard host *.acme.example: it would take the traffic of every other name under it, and its certificate would be valid for all of them. ${HOST_REMEDY}`);
        const hostless = resource("kubernetes:networking.k8s.io/v1:Ingress", "storefront-chart:storefront-prod/storefront", {
            metadata: { name: "storefront", namespace: NS, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-production" } },
            spec: { tls: [{ hosts: ["storefront.acme.example"], secretName: "storefront-tls" }], rules: [{ http: { paths: [{ path: "/" }] } }] },
        }, { stack: "prod" });
        fails(await checkStack(policy, [zone(), issuer(), hostless]),
            `Ingress storefront has a rule without a host (or a default backend): it answers for every name the ingress controller receives. ${HOST_REMEDY}`);
    });

    it("knows each cloud's zone, and an existing zone from the release record", async () => {
        const azure = resource("azure-native:dns:Zone", "storefront-dns-zone", { zoneName: "acme.example" }, { stack: "prod" });
        const gcp = resource("gcp:dns/managedZone:ManagedZone", "storefront-dns-zone", { name: "acme-example", dnsName: "acme.example." }, { stack: "prod" });
        for (const z of [azure, gcp, record({ dnsZone: "acme.example", tlsIssuer: "letsencrypt-production" })]) {
            passes(await checkStack(policy, [z, issuer(), ingress()]));
            fails(await checkStack(policy, [z, issuer(), ingress("shop.other.example")]), `Ingress storefront serves shop.other.example, outside production's zone (acme.example). ${REMEDY}`);
        }
    });

    it("takes production directories from policy config", async () => {
        const internal = "https://acme.internal.acme.example/directory";
        passes(await checkStack(policy, [zone(), issuer(internal), ingress()], { productionServers: [internal] }));
    });

    it("leaves a stack that manages no DNS or certificates to ingress-tls, and does not apply outside production", async () => {
        passes(await checkStack(policy, [ingress("shop.other.example", {})]));
        notApplicable(await checkStack(policy, [zone("dev.acme.example", "dev"), ingress("storefront.dev.acme.example", {}, "dev")]), "production only");
    });
});

import { checkStack, fails, pack, passes, resource } from "../fixtures";
import { APP_LABEL, COLOUR_LABEL, ROUTE_LABEL } from "../../../policy/lib/colours";

const policy = pack("service-traffic-after-ready");
const REMEDY = "Remedy: let the program own the switch (delivery:rollout.strategy: blueGreen): do not set pulumi.com/skipAwait or helm.wait: false, and route Ingresses to the <app>-active Service.";
const NS = "storefront-prod";
const chart = (colour: string) => resource("kubernetes:helm.sh/v4:Chart", `storefront-${colour}-chart`, { name: `storefront-${colour}`, namespace: NS, chart: "./charts/app" });
const deployment = (colour: string, o: { replicas?: number; annotations?: Record<string, string> } = {}) => resource("kubernetes:apps/v1:Deployment", `storefront-${colour}-chart:${NS}/storefront-${colour}`, {
    metadata: { name: `storefront-${colour}`, namespace: NS, labels: { [COLOUR_LABEL]: colour }, annotations: o.annotations ?? {} },
    spec: {
        replicas: o.replicas ?? 3,
        selector: { matchLabels: { "app.kubernetes.io/instance": `storefront-${colour}` } },
        template: { metadata: { labels: { "app.kubernetes.io/instance": `storefront-${colour}`, [APP_LABEL]: "storefront", [COLOUR_LABEL]: colour } }, spec: { containers: [{ name: "app", image: "ghcr.io/acme/storefront:1.9.0" }] } },
    },
}, { parent: chart(colour).urn });
const service = (name: string, selector: Record<string, string>, labels: Record<string, string>, dependencies: string[] = []) =>
    resource("kubernetes:core/v1:Service", name, { metadata: { name, namespace: NS, labels }, spec: { type: "ClusterIP", selector, ports: [{ port: 80 }] } }, { dependencies });
const router = (colour: string | undefined, dependencies: string[]) =>
    service("storefront-active", { [APP_LABEL]: "storefront", ...(colour ? { [COLOUR_LABEL]: colour } : {}) }, { [ROUTE_LABEL]: "active" }, dependencies);
const ingress = (backend: string) => resource("kubernetes:networking.k8s.io/v1:Ingress", "storefront-ingress", {
    metadata: { name: "storefront-active", namespace: NS },
    spec: { rules: [{ host: "storefront.acme.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: backend, port: { number: 80 } } } }] } }] },
});
const both = () => [chart("blue"), deployment("blue"), chart("green"), deployment("green")];

describe("service-traffic-after-ready", () => {
    it("passes a switch to green that waits for green's release (its Chart), with blue still up", async () => {
        passes(await checkStack(policy, [...both(), router("green", [chart("green").urn]), ingress("storefront-active")]));
    });

    it("passes a switch that waits for the workload itself", async () => {
        passes(await checkStack(policy, [...both(), router("green", [deployment("green").urn])]));
    });

    it("passes a stack without colours (no active Service)", async () => {
        passes(await checkStack(policy, [deployment("blue"), service("storefront", { "app.kubernetes.io/name": "storefront" }, {})]));
    });

    it("fails a switch that does not wait for the colour's workloads (waiting for the other colour does not count)", async () => {
        fails(await checkStack(policy, [...both(), router("green", [chart("blue").urn])]),
            `Service storefront-active routes to green without waiting for Deployment storefront-green-chart:${NS}/storefront-green: the switch could happen before the colour is ready. ${REMEDY}`);
    });

    it("fails an active Service that selects both colours", async () => {
        fails(await checkStack(policy, [...both(), router(undefined, [chart("green").urn])]),
            `Service storefront-active (the app's active Service) selects {"${APP_LABEL}":"storefront"}: it must select one colour (${COLOUR_LABEL}) of one app (${APP_LABEL}), or it sends traffic to a colour that is not ready. ${REMEDY}`);
    });

    it("fails a switch to a colour with no workload in the update", async () => {
        fails(await checkStack(policy, [chart("blue"), deployment("blue"), router("green", [])]),
            `Service storefront-active routes to green, but no workload of green is in this update: traffic would reach no pod. ${REMEDY}`);
    });

    it("fails a colour nothing waits for, or one at 0 replicas", async () => {
        fails(await checkStack(policy, [chart("blue"), deployment("blue"), chart("green"), deployment("green", { annotations: { "pulumi.com/skipAwait": "true" } }), router("green", [chart("green").urn])]),
            `Deployment storefront-green-chart:${NS}/storefront-green of green is not waited for (pulumi.com/skipAwait), so Service storefront-active could send it traffic before it is ready. ${REMEDY}`);
        fails(await checkStack(policy, [chart("blue"), deployment("blue"), chart("green"), deployment("green", { replicas: 0 }), router("green", [chart("green").urn])]),
            `Deployment storefront-green-chart:${NS}/storefront-green of green runs 0 replicas, but Service storefront-active sends it the app's traffic. ${REMEDY}`);
    });

    it("fails another Service that selects the app's pods of both colours", async () => {
        fails(await checkStack(policy, [...both(), router("green", [chart("green").urn]), service("storefront-all", { [APP_LABEL]: "storefront" }, {})]),
            `Service storefront-all selects the app's pods of both colours: it bypasses the switch. ${REMEDY}`);
    });

    it("fails an Ingress routed to one colour's own Service or to the preview Service", async () => {
        const blueSvc = service("storefront-blue", { "app.kubernetes.io/instance": "storefront-blue" }, { [COLOUR_LABEL]: "blue" });
        fails(await checkStack(policy, [...both(), router("green", [chart("green").urn]), blueSvc, ingress("storefront-blue")]),
            `Ingress storefront-active routes to Service storefront-blue, which serves one colour whatever the switch says; route it to storefront-active. ${REMEDY}`);
        const preview = service("storefront-preview", { [APP_LABEL]: "storefront", [COLOUR_LABEL]: "green" }, { [ROUTE_LABEL]: "preview" });
        fails(await checkStack(policy, [...both(), router("green", [chart("green").urn]), preview, ingress("storefront-preview")]),
            `Ingress storefront-active routes to Service storefront-preview, which serves one colour whatever the switch says; route it to storefront-active. ${REMEDY}`);
    });
});

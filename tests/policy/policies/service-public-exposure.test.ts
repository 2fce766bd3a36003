import { change, check, fails, pack, passes, release, releaseInputs, resource } from "../fixtures";

const policy = pack("service-public-exposure");
const REMEDY = "Remedy: use a ClusterIP service behind the ingress, an internal load balancer annotation, or loadBalancerSourceRanges.";
const service = (spec: object, annotations: Record<string, string> = {}) =>
    resource("kubernetes:core/v1:Service", "api", { metadata: { name: "api", namespace: "storefront-prod", annotations }, spec: { ports: [{ port: 80 }], ...spec } });

describe("service-public-exposure", () => {
    it("passes ClusterIP services, internal load balancers and allow-listed ones", async () => {
        passes(await check(policy, service({ type: "ClusterIP" })));
        passes(await check(policy, service({ type: "LoadBalancer" }, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" })));
        passes(await check(policy, service({ type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] })));
        passes(await check(policy, release()));
    });

    it("fails a public LoadBalancer without source ranges", async () => {
        fails(await check(policy, service({ type: "LoadBalancer" })),
            `Service api is a public LoadBalancer without loadBalancerSourceRanges, open to every address. ${REMEDY}`);
    });

    it("fails source ranges that include 0.0.0.0/0", async () => {
        fails(await check(policy, service({ type: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] })),
            `Service api is a public LoadBalancer whose loadBalancerSourceRanges include 0.0.0.0/0. ${REMEDY}`);
    });

    it("fails source ranges outside allowedSourceRanges", async () => {
        fails(await check(policy, service({ type: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"] }), { allowedSourceRanges: ["203.0.113.0/24"] }),
            `Service api is a public LoadBalancer open to 198.51.100.0/24, outside the allowed ranges 203.0.113.0/24. ${REMEDY}`);
    });

    it("fails a NodePort", async () => {
        fails(await check(policy, service({ type: "NodePort" })), `Service api is a NodePort, which opens the port on every node. ${REMEDY}`);
    });

    it("fails externalIPs, on any service type", async () => {
        fails(await check(policy, service({ type: "ClusterIP", externalIPs: ["198.51.100.7"] })),
            `Service api sets externalIPs (198.51.100.7), which every node answers on, whoever owns the address. ${REMEDY}`);
        passes(await check(policy, service({ type: "ClusterIP", externalIPs: [] })));
    });

    it("fails a public LoadBalancer requested through Helm values", async () => {
        fails(await check(policy, release(change(releaseInputs(), "values.service", { type: "LoadBalancer", port: 80 }))),
            `Helm release storefront-helm (chart ./charts/app): the service at values.service is a public LoadBalancer without loadBalancerSourceRanges, open to every address. ${REMEDY}`);
        passes(await check(policy, release(change(releaseInputs(), "values.controller.service", { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } }))));
    });
});

import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("helm-release-namespace-scope");
const REMEDY = "Remedy: keep every object of the chart in the app's namespace (no hard-coded metadata.namespace); have the platform team install cluster-wide objects, or allow the kind in allowedClusterKinds in the policy config.";
const NS = "storefront-prod";
const chart = (stack = "prod") => resource("kubernetes:helm.sh/v4:Chart", "storefront-blue-chart", {}, { stack });
const record = (stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: NS, labels: { "delivery.example.com/record": "promotion" } }, data: {},
}, { stack });
/** An object the chart renders: `<chart>:<namespace>/<name>`, or `<chart>:<name>` without a namespace. */
const rendered = (apiVersion: string, kind: string, name: string, namespace?: string, stack = "prod") =>
    resource(`kubernetes:${apiVersion}:${kind}`, `storefront-blue-chart:${namespace ? `${namespace}/` : ""}${name}`,
        { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }, { parent: chart(stack).urn, stack });
const app = () => [chart(), record(), rendered("apps/v1", "Deployment", "storefront-blue", NS), rendered("core/v1", "Service", "storefront-blue", NS)];

describe("helm-release-namespace-scope", () => {
    it("passes a chart whose objects are all in the app's namespace, and its ClusterRoles and bindings (judged by the RBAC policies)", async () => {
        passes(await checkStack(policy, [...app(),
            rendered("rbac.authorization.k8s.io/v1", "ClusterRole", "storefront-read-nodes"),
            rendered("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "storefront-read-nodes")]));
    });

    it("passes objects outside any chart in other namespaces and cluster-wide (the program's own)", async () => {
        passes(await checkStack(policy, [...app(),
            resource("kubernetes:cert-manager.io/v1:ClusterIssuer", "letsencrypt-production", { metadata: { name: "letsencrypt-production" } }),
            resource("kubernetes:core/v1:ServiceAccount", "eso", { metadata: { name: "eso", namespace: "external-secrets" } })]));
    });

    it("fails an object the chart hard-codes into another namespace", async () => {
        fails(await checkStack(policy, [...app(), rendered("apps/v1", "DaemonSet", "agent", "kube-system")]),
            `DaemonSet storefront-blue-chart:kube-system/agent is rendered into namespace kube-system, outside the app's namespace (storefront-prod), where its quota, pod security level and default-deny network policy do not apply. ${REMEDY}`);
    });

    it("fails cluster-scoped objects: a webhook configuration, a CRD, a PersistentVolume", async () => {
        fails(await checkStack(policy, [...app(),
            rendered("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "storefront-webhook"),
            rendered("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.acme.example"),
            rendered("core/v1", "PersistentVolume", "storefront-data")]),
        `ValidatingWebhookConfiguration storefront-blue-chart:storefront-webhook is cluster-scoped: the application chart would change the whole cluster, not the app's namespace. ${REMEDY}`,
        `CustomResourceDefinition storefront-blue-chart:widgets.acme.example is cluster-scoped: the application chart would change the whole cluster, not the app's namespace. ${REMEDY}`,
        `PersistentVolume storefront-blue-chart:storefront-data is cluster-scoped: the application chart would change the whole cluster, not the app's namespace. ${REMEDY}`);
    });

    it("takes the cluster-scoped kinds it allows from the config", async () => {
        const crd = rendered("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.acme.example");
        passes(await checkStack(policy, [...app(), crd], { allowedClusterKinds: ["CustomResourceDefinition"] }));
        fails(await checkStack(policy, [...app(), rendered("rbac.authorization.k8s.io/v1", "ClusterRole", "storefront-read-nodes")], { allowedClusterKinds: [] }),
            `ClusterRole storefront-blue-chart:storefront-read-nodes is cluster-scoped: the application chart would change the whole cluster, not the app's namespace. ${REMEDY}`);
    });

    it("applies to production only", async () => {
        notApplicable(await checkStack(policy, [chart("dev"), record("dev"), rendered("apps/v1", "DaemonSet", "agent", "kube-system", "dev")]), "production only");
    });
});

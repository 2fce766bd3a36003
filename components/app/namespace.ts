import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../config/environment";
import { NamespaceConfig } from "../../config/model";

export interface AppNamespaceArgs {
    readonly namespace: NamespaceConfig;
    readonly environment: Environment;
    /** Name of the application; its pods carry `app.kubernetes.io/name=<app>`. */
    readonly app: string;
    /** Labels the app's pods carry (default `app.kubernetes.io/name=<app>`; with colours, the program's app label). */
    readonly appSelector?: Readonly<Record<string, string>>;
    /** Port the application listens on; the only port the ingress controller may reach. */
    readonly appPort: number;
    readonly labels: Readonly<Record<string, string>>;
}

/** Version of the Pod Security Standards the namespace pins to. */
export const POD_SECURITY_VERSION = "v1.31";

/**
 * The application's namespace: environment labels, Pod Security Admission, a ResourceQuota and
 * LimitRange, and network isolation (deny everything, then allow DNS, traffic inside the
 * namespace, and the ingress controller to the app's port).
 */
export class AppNamespace extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: AppNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:app:AppNamespace", name, {}, opts);
        const n = args.namespace;
        const parent = { parent: this };
        const ns = new corev1.Namespace(`${name}-ns`, {
            metadata: {
                name: n.name,
                labels: {
                    ...args.labels,
                    "pod-security.kubernetes.io/enforce": n.podSecurity,
                    "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION,
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        }, parent);
        const namespace = ns.metadata.name;
        const meta = (role: string) => ({ name: role, namespace, labels: { ...args.labels } });

        new corev1.ResourceQuota(`${name}-quota`, {
            metadata: meta("compute"),
            spec: {
                hard: {
                    "requests.cpu": n.quota.cpu,
                    "requests.memory": n.quota.memory,
                    "limits.cpu": n.quota.cpu,
                    "limits.memory": n.quota.memory,
                    pods: String(n.quota.pods),
                    "services.loadbalancers": "0",
                    "services.nodeports": "0",
                },
            },
        }, parent);
        new corev1.LimitRange(`${name}-limits`, {
            metadata: meta("defaults"),
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: { cpu: n.limits.defaultRequest.cpu, memory: n.limits.defaultRequest.memory },
                    default: { cpu: n.limits.default.cpu, memory: n.limits.default.memory },
                }],
            },
        }, parent);

        new networkingv1.NetworkPolicy(`${name}-default-deny`, {
            metadata: meta("default-deny"),
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        }, parent);
        new networkingv1.NetworkPolicy(`${name}-allow-dns`, {
            metadata: meta("allow-dns"),
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                }],
            },
        }, parent);
        new networkingv1.NetworkPolicy(`${name}-allow-same-namespace`, {
            metadata: meta("allow-same-namespace"),
            spec: {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ podSelector: {} }] }],
                egress: [{ to: [{ podSelector: {} }] }],
            },
        }, parent);
        new networkingv1.NetworkPolicy(`${name}-allow-ingress-controller`, {
            metadata: meta("allow-ingress-controller"),
            spec: {
                podSelector: { matchLabels: { ...(args.appSelector ?? { "app.kubernetes.io/name": args.app }) } },
                policyTypes: ["Ingress"],
                ingress: [{
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n.ingressNamespace } } }],
                    ports: [{ protocol: "TCP", port: args.appPort }],
                }],
            },
        }, parent);

        this.name = namespace;
        this.registerOutputs({ name: this.name });
    }
}

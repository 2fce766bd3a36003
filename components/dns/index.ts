import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helmv3 from "@pulumi/kubernetes/helm/v3";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_CHART_REPOSITORY, DnsConfig, EXTERNAL_DNS_CHART_REPOSITORY, TlsConfig } from "../../config/dns";
import { Environment } from "../../config/environment";
import { ClusterIdentity } from "../cluster/types";
import { ZoneContext, ZoneUser, ZoneWiring } from "./context";

export { ZoneWiring };

/** The service account names the charts are given (the zone identity trusts exactly these). */
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

export interface DnsTlsArgs {
    readonly dns: DnsConfig;
    /** Absent: no cert-manager, no ClusterIssuer. */
    readonly tls?: TlsConfig;
    /** The cluster's cloud: where the zone lives. */
    readonly cloud: "aws" | "azure" | "gcp";
    readonly environment: Environment;
    readonly app: string;
    readonly stack: string;
    readonly identity: ClusterIdentity;
    /** AWS region / Azure location of the cluster. */
    readonly region: string;
    /** GCP: the cluster's project. */
    readonly project?: string;
    readonly k8sProvider: K8sProvider;
    readonly labels: Readonly<Record<string, string>>;
    readonly tags: Readonly<Record<string, string>>;
    /** Protect a zone this stack creates against deletion (like the cluster). */
    readonly protect: boolean;
}

/** Each cloud's module is loaded only when that cloud is used. */
function zoneOf(cloud: DnsTlsArgs["cloud"], ctx: ZoneContext): ZoneWiring {
    switch (cloud) {
        case "aws":
            return (require("./aws") as typeof import("./aws")).awsZone(ctx);
        case "azure":
            return (require("./azure") as typeof import("./azure")).azureZone(ctx);
        case "gcp":
            return (require("./gcp") as typeof import("./gcp")).gcpZone(ctx);
    }
}

/** The external-dns chart's values: this zone only, records of this stack's Ingresses, owned by this stack. */
export function externalDnsValues(args: Pick<DnsTlsArgs, "dns" | "stack">, cloud: Record<string, unknown>, w: Pick<ZoneWiring, "podLabels">,
    serviceAccount: { annotations: Record<string, string>; labels: Record<string, string> }, azureConfigSecret?: string): Record<string, unknown> {
    return {
        ...cloud,
        fullnameOverride: "external-dns",
        serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT, annotations: serviceAccount.annotations, labels: serviceAccount.labels },
        podLabels: { ...w.podLabels },
        sources: ["ingress"],
        domainFilters: [args.dns.zone],
        policy: args.dns.externalDns.policy,
        registry: "txt",
        // TXT ownership records: two stacks writing one zone never delete each other's records.
        txtOwnerId: `delivery-${args.stack}`,
        ...(azureConfigSecret !== undefined ? {
            extraVolumes: [{ name: "azure-config-file", secret: { secretName: azureConfigSecret } }],
            extraVolumeMounts: [{ name: "azure-config-file", mountPath: "/etc/kubernetes", readOnly: true }],
        } : {}),
    };
}

/** The ClusterIssuer: ACME at the environment's directory, DNS-01 in the zone only. */
export function clusterIssuerSpec(tls: TlsConfig, zone: string, solver: Record<string, unknown>): Record<string, unknown> {
    return {
        acme: {
            server: tls.server,
            email: tls.email,
            privateKeySecretRef: { name: `${tls.issuer}-account-key` },
            solvers: [{ selector: { dnsZones: [zone] }, dns01: solver }],
        },
    };
}

/**
 * DNS and TLS of one environment: the zone on the cluster's cloud (or an existing one), one
 * identity that may change only that zone, trusted only by the external-dns and cert-manager
 * service accounts; external-dns (pinned chart) writing the app's records; cert-manager (pinned
 * chart) and a ClusterIssuer the app's Ingress asks for its certificate.
 */
export class DnsTls extends pulumi.ComponentResource {
    readonly zone: string;
    /** Route 53 hosted zone id, Azure DNS zone id, Cloud DNS managed zone name. */
    readonly zoneRef: pulumi.Output<string>;
    readonly nameServers: pulumi.Output<string[]>;
    /** The ClusterIssuer's name, when the stack has delivery:tls. */
    readonly issuer?: string;
    readonly clusterIssuer?: apiextensions.CustomResource;

    constructor(name: string, args: DnsTlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:dns:DnsTls", name, {}, opts);
        const { dns: d, tls } = args;
        const k = { parent: this, provider: args.k8sProvider };
        const users: ZoneUser[] = [
            ...(d.externalDns.install ? [{ namespace: d.externalDns.namespace, serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT }] : []),
            ...(tls ? [{ namespace: tls.certManager.namespace, serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT }] : []),
        ];
        const w = zoneOf(args.cloud, {
            name, parent: this, k8sProvider: args.k8sProvider, dns: d, environment: args.environment, app: args.app,
            identity: args.identity, region: args.region, project: args.project, users, tags: args.tags, protect: args.protect,
        });
        this.zone = d.zone;
        this.zoneRef = w.zoneRef;
        this.nameServers = w.nameServers;
        const saAnnotations = pulumi.output(w.serviceAccount.annotations);
        const production = args.environment === "production";
        const namespace = (role: string, ns: string) => new corev1.Namespace(`${name}-${role}-ns`, {
            metadata: { name: ns, labels: { ...args.labels, "pod-security.kubernetes.io/enforce": "restricted" } },
        }, k);

        if (d.externalDns.install) {
            const ns = namespace("external-dns", d.externalDns.namespace);
            let azureSecret: corev1.Secret | undefined;
            if (w.externalDnsAzureConfig) {
                azureSecret = new corev1.Secret(`${name}-external-dns-azure`, {
                    metadata: { name: "external-dns-azure", namespace: ns.metadata.name, labels: { ...args.labels } },
                    stringData: { "azure.json": w.externalDnsAzureConfig },
                }, k);
            }
            new helmv3.Release(`${name}-external-dns`, {
                name: "external-dns",
                chart: "external-dns",
                version: d.externalDns.chartVersion,
                repositoryOpts: { repo: EXTERNAL_DNS_CHART_REPOSITORY },
                namespace: ns.metadata.name,
                atomic: true,
                cleanupOnFail: true,
                values: pulumi.all([w.externalDnsValues, saAnnotations]).apply(([cloud, annotations]) =>
                    externalDnsValues(args, cloud, w, { annotations, labels: w.serviceAccount.labels }, azureSecret ? "external-dns-azure" : undefined)),
            }, { ...k, dependsOn: [...w.dependsOn, ...(azureSecret ? [azureSecret] : [])] });
        }

        if (tls) {
            let certManager: helmv3.Release | undefined;
            if (tls.certManager.install) {
                const ns = namespace("cert-manager", tls.certManager.namespace);
                certManager = new helmv3.Release(`${name}-cert-manager`, {
                    name: "cert-manager",
                    chart: "cert-manager",
                    version: tls.certManager.chartVersion,
                    repositoryOpts: { repo: CERT_MANAGER_CHART_REPOSITORY },
                    namespace: ns.metadata.name,
                    atomic: true,
                    cleanupOnFail: true,
                    values: saAnnotations.apply((annotations) => ({
                        crds: { enabled: true, keep: true },
                        replicaCount: production ? 2 : 1,
                        podDisruptionBudget: { enabled: production },
                        serviceAccount: { create: true, name: CERT_MANAGER_SERVICE_ACCOUNT, annotations, labels: w.serviceAccount.labels },
                        podLabels: { ...w.podLabels },
                        // The DNS-01 self-check asks public resolvers, not a split-horizon cluster DNS.
                        dns01RecursiveNameserversOnly: true,
                        dns01RecursiveNameservers: "8.8.8.8:53,1.1.1.1:53",
                    })),
                }, { ...k, dependsOn: w.dependsOn });
            }
            this.issuer = tls.issuer;
            this.clusterIssuer = new apiextensions.CustomResource(`${name}-issuer`, {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: tls.issuer, labels: { ...args.labels } },
                spec: w.solver.apply((solver) => clusterIssuerSpec(tls, d.zone, solver)),
            }, { ...k, dependsOn: [...w.dependsOn, ...(certManager ? [certManager] : [])] });
        }
        this.registerOutputs({ zone: this.zone, zoneRef: this.zoneRef, nameServers: this.nameServers, issuer: this.issuer });
    }
}

import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

/** Which cloud's identity system workloads on the cluster federate with. */
/** `shared`: the cluster belongs to another stack; its facts arrive as outputs of that stack. */
export type IdentityKind = "aws" | "azure" | "gcp" | "none" | "shared";

/**
 * What secret stores and other workload-identity wiring need to know about a cluster.
 * Fields that do not apply to a cloud are empty strings.
 */
export interface ClusterIdentity {
    readonly kind: IdentityKind;
    /** OIDC issuer URL of the cluster's service-account tokens (https://…). */
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** AWS: ARN of the IAM OIDC provider trusted by roles for service accounts. */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** GCP: project hosting the cluster and its workload identity pool. */
    readonly gcpProject: pulumi.Output<string>;
    /** GCP: `<project>.svc.id.goog`. */
    readonly workloadPool: pulumi.Output<string>;
    /** Cloud region or GCP location (region for regional clusters, zone for zonal ones). */
    readonly location: pulumi.Output<string>;
    /** Azure: resource group holding the cluster and its identities. */
    readonly resourceGroupName: pulumi.Output<string>;
    /** Azure: Entra ID tenant of the workload identities. */
    readonly azureTenantId: pulumi.Output<string>;
    /** URL of the Kubernetes API server (for Vault's token reviews); "" when unknown. */
    readonly apiServerUrl: pulumi.Output<string>;
}

/** The small interface every cluster component exposes, whatever the cloud. */
export interface KubernetesCluster {
    /** The component's URN: known once the engine has registered it (its provider's registration follows). */
    readonly urn: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    /** Provider that targets this cluster; every Kubernetes object of the stack uses it. */
    readonly provider: K8sProvider;
    /** kubeconfig for this cluster, always a secret output. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;
}

/** What a shared cluster publishes as a stack output so other stacks can reuse it. */
export interface ClusterExport {
    readonly name: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: {
        readonly kind: IdentityKind;
        readonly oidcIssuerUrl: pulumi.Output<string>;
        readonly oidcProviderArn: pulumi.Output<string>;
        readonly gcpProject: pulumi.Output<string>;
        readonly workloadPool: pulumi.Output<string>;
        readonly location: pulumi.Output<string>;
        readonly resourceGroupName: pulumi.Output<string>;
        readonly azureTenantId: pulumi.Output<string>;
        readonly apiServerUrl: pulumi.Output<string>;
    };
}

export function exportCluster(c: KubernetesCluster): ClusterExport {
    return { name: c.clusterName, kubeconfig: pulumi.secret(c.kubeconfig), identity: c.identity };
}

/** Identity of a cluster with no cloud workload identity (all fields empty). */
export function noIdentity(oidcIssuerUrl = ""): ClusterIdentity {
    const empty = pulumi.output("");
    return {
        kind: "none",
        oidcIssuerUrl: pulumi.output(oidcIssuerUrl),
        oidcProviderArn: empty,
        gcpProject: empty,
        workloadPool: empty,
        location: empty,
        resourceGroupName: empty,
        azureTenantId: empty,
        apiServerUrl: empty,
    };
}

/** Builds a kubeconfig whose user authenticates with an exec credential plugin. */
export function execKubeconfig(args: {
    name: string;
    endpoint: pulumi.Input<string>;
    caData: pulumi.Input<string>;
    command: string;
    commandArgs: string[];
    env?: Record<string, string>;
}): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([args.endpoint, args.caData]).apply(([endpoint, ca]) =>
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: args.name, cluster: { server: endpoint, "certificate-authority-data": ca } }],
                contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
                "current-context": args.name,
                users: [{
                    name: args.name,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: args.command,
                            args: args.commandArgs,
                            env: Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value })),
                            interactiveMode: "Never",
                        },
                    },
                }],
            }),
        ),
    );
}

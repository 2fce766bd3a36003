import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { ClusterIdentity, IdentityKind, KubernetesCluster } from "./types";

/** The stack output a cluster-owning stack publishes (see `exportCluster`). */
export const CLUSTER_OUTPUT = "cluster";

interface PublishedCluster {
    name: string;
    kubeconfig: string;
    identity: {
        kind: IdentityKind; oidcIssuerUrl: string; oidcProviderArn: string; gcpProject: string; workloadPool: string;
        location: string; resourceGroupName: string; azureTenantId: string; apiServerUrl?: string;
    };
}

export interface SharedClusterArgs {
    /** The stack that owns the cluster, e.g. `organization/delivery/dev`. */
    readonly source: pulumi.StackReference;
    /** The borrowing stack's environment: production borrows only a production stack's cluster. */
    readonly environment?: string;
}

/**
 * Another stack's cluster, reused through its `cluster` stack output: dev and staging can share
 * one cluster, separated by namespace, while prod runs on its own.
 */
export class SharedCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: K8sProvider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;

    constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:cluster:SharedCluster", name, {}, opts);
        const published = pulumi.all([args.source.name, args.source.getOutput(CLUSTER_OUTPUT), args.source.getOutput("environment")]).apply(([source, p, owner]) => {
            // The owner's own environment output proves what its cluster is, whatever its name says.
            if (args.environment === "production" && owner !== "production") {
                throw new pulumi.RunError(
                    `stack "${pulumi.getStack()}" is production and borrows the cluster of ${source} (${pulumi.getProject()}:cluster.stack), ` +
                    `which is ${owner === undefined ? "not a deployed stack of this program (no environment output)" : `a ${String(owner)} stack`}: production runs only on a production cluster.`);
            }
            if (p === undefined || typeof p !== "object") {
                throw new pulumi.RunError(
                    `stack "${pulumi.getStack()}" reuses the cluster of ${source} (${pulumi.getProject()}:cluster.stack), but that stack exports no "${CLUSTER_OUTPUT}" output. ` +
                    `Deploy it first, or point cluster.stack at a stack that owns a cluster.`);
            }
            return p as PublishedCluster;
        });
        const id = published.apply((p) => p.identity);
        this.clusterName = published.apply((p) => p.name);
        this.kubeconfig = pulumi.secret(published.apply((p) => p.kubeconfig));
        this.provider = new K8sProvider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });
        this.identity = {
            kind: "shared",
            oidcIssuerUrl: id.apply((i) => i.oidcIssuerUrl),
            oidcProviderArn: id.apply((i) => i.oidcProviderArn),
            gcpProject: id.apply((i) => i.gcpProject),
            workloadPool: id.apply((i) => i.workloadPool),
            location: id.apply((i) => i.location),
            resourceGroupName: id.apply((i) => i.resourceGroupName),
            azureTenantId: id.apply((i) => i.azureTenantId),
            apiServerUrl: id.apply((i) => i.apiServerUrl ?? ""),
        };
        this.registerOutputs({ clusterName: this.clusterName });
    }
}

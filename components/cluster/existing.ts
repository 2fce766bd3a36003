import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import { ClusterConfig } from "../../config/model";
import { ClusterIdentity, KubernetesCluster, noIdentity } from "./types";

export interface ExistingClusterArgs {
    readonly cluster: ClusterConfig;
    /** kubeconfig contents from the secret key `delivery:kubeconfig`; wins over the path. */
    readonly kubeconfig?: string;
    /** The stack's environment: production must find the cluster's marker saying production. */
    readonly environment?: string;
}

/** The ConfigMap in which a cluster's owners say which environment it serves. */
export const CLUSTER_MARKER = { namespace: "kube-system", name: "delivery-cluster" } as const;

function expandHome(path: string): string {
    return path.startsWith("~/") ? `${os.homedir()}${path.slice(1)}` : path;
}

/**
 * A cluster this program did not create: targeted through a kubeconfig (secret config, a file,
 * or the ambient KUBECONFIG) and an optional context. Workload-identity facts come from config.
 */
export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: K8sProvider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:cluster:ExistingCluster", name, {}, opts);
        const c = args.cluster;
        let contents = args.kubeconfig;
        if (contents === undefined && c.kubeconfigPath !== undefined) {
            const path = expandHome(c.kubeconfigPath);
            if (!fs.existsSync(path)) {
                throw new pulumi.RunError(`cluster.kubeconfigPath: ${path} does not exist (stack ${pulumi.getStack()}); point it at a kubeconfig file or set the secret ${pulumi.getProject()}:kubeconfig`);
            }
            contents = fs.readFileSync(path, "utf8");
        }
        this.kubeconfig = pulumi.secret(contents ?? "");
        this.provider = new K8sProvider(`${name}-k8s`, {
            kubeconfig: contents !== undefined ? this.kubeconfig : undefined,
            context: c.context,
            enableServerSideApply: true,
        }, { parent: this });
        if (args.environment === "production") {
            // A cluster this program did not create proves it is production's through a marker its
            // owners keep: kube-system/delivery-cluster with data.environment: production.
            const marker = corev1.ConfigMap.get(`${name}-marker`, `${CLUSTER_MARKER.namespace}/${CLUSTER_MARKER.name}`, { provider: this.provider, parent: this });
            this.clusterName = marker.data.apply((d) => {
                const env = d?.environment;
                if (env !== "production") {
                    throw new pulumi.RunError(
                        `stack "${pulumi.getStack()}" is production on an existing cluster (${pulumi.getProject()}:cluster.provider: existing) whose ConfigMap ` +
                        `${CLUSTER_MARKER.namespace}/${CLUSTER_MARKER.name} says ${env === undefined ? "nothing" : `environment ${JSON.stringify(env)}`}: production runs only on a cluster its owners mark as production ` +
                        `(kubectl -n ${CLUSTER_MARKER.namespace} create configmap ${CLUSTER_MARKER.name} --from-literal=environment=production), or on one this program creates.`);
                }
                return c.name;
            });
        } else {
            this.clusterName = pulumi.output(c.name);
        }
        const base = noIdentity(c.oidcIssuer ?? "");
        this.identity = c.oidcProviderArn !== undefined
            ? { ...base, kind: "aws", oidcProviderArn: pulumi.output(c.oidcProviderArn), location: pulumi.output(c.region) }
            : base;
        this.registerOutputs({ clusterName: this.clusterName });
    }
}

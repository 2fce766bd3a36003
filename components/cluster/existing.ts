import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import { ClusterConfig } from "../../config/model";
import { ClusterIdentity, KubernetesCluster, noIdentity } from "./types";

export interface ExistingClusterArgs {
    readonly cluster: ClusterConfig;
    /** kubeconfig contents from the secret key `delivery:kubeconfig`; wins over the path. */
    readonly kubeconfig?: string;
}

function expandHome(path: string): string {
    return path.startsWith("~/") ? `${os.homedir()}${path.slice(1)}` : path;
}

/**
 * A cluster this program did not create: targeted through a kubeconfig (secret config, a file,
 * or the ambient KUBECONFIG) and an optional context. Workload-identity facts come from config.
 */
export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: k8s.Provider;
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
        this.clusterName = pulumi.output(c.name);
        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: contents !== undefined ? this.kubeconfig : undefined,
            context: c.context,
            enableServerSideApply: true,
        }, { parent: this });
        const base = noIdentity(c.oidcIssuer ?? "");
        this.identity = c.oidcProviderArn !== undefined
            ? { ...base, kind: "aws", oidcProviderArn: pulumi.output(c.oidcProviderArn), location: pulumi.output(c.region) }
            : base;
        this.registerOutputs({ clusterName: this.clusterName });
    }
}

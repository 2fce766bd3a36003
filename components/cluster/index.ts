import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config/model";
import { AksCluster } from "./aks";
import { EksCluster } from "./eks";
import { ExistingCluster } from "./existing";
import { GkeCluster } from "./gke";
import { SharedCluster } from "./shared";
import { KubernetesCluster } from "./types";

export * from "./types";
export { AksCluster, EksCluster, ExistingCluster, GkeCluster, SharedCluster };
export { CLUSTER_OUTPUT } from "./shared";

/** Builds the cluster the stack's config asks for; all of them look the same to the caller. */
export function createCluster(
    cfg: StackConfig,
    stackRef: (name: string) => pulumi.StackReference,
    tags: Readonly<Record<string, string>>,
): KubernetesCluster {
    const c = cfg.cluster;
    switch (c.provider) {
        case "aws":
            return new EksCluster(c.name, { cluster: c, tags });
        case "azure":
            return new AksCluster(c.name, { cluster: c, tags });
        case "gcp":
            return new GkeCluster(c.name, { cluster: c, tags });
        case "existing":
            return new ExistingCluster(c.name, { cluster: c, kubeconfig: cfg.kubeconfig });
        case "stack":
            return new SharedCluster(c.name, { source: stackRef(c.stack as string) });
    }
}

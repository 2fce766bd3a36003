import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config/model";
import { KubernetesCluster } from "./types";

export * from "./types";
export { CLUSTER_OUTPUT } from "./shared";

/**
 * Builds the cluster the stack's config asks for; all of them look the same to the caller.
 * Each cloud's module is loaded only when that cloud is used: a stack on AWS never loads the
 * Azure and GCP SDKs, which is most of a cold start.
 */
export function createCluster(
    cfg: StackConfig,
    stackRef: (name: string) => pulumi.StackReference,
    tags: Readonly<Record<string, string>>,
): KubernetesCluster {
    const c = cfg.cluster;
    switch (c.provider) {
        case "aws": {
            const { EksCluster } = require("./eks") as typeof import("./eks");
            return new EksCluster(c.name, { cluster: c, tags, logRetentionDays: cfg.observability.logs.retentionDays });
        }
        case "azure": {
            const { AksCluster } = require("./aks") as typeof import("./aks");
            return new AksCluster(c.name, { cluster: c, tags, logRetentionDays: cfg.observability.logs.retentionDays });
        }
        case "gcp": {
            const { GkeCluster } = require("./gke") as typeof import("./gke");
            return new GkeCluster(c.name, { cluster: c, tags, logRetentionDays: cfg.observability.logs.retentionDays });
        }
        case "existing": {
            const { ExistingCluster } = require("./existing") as typeof import("./existing");
            return new ExistingCluster(c.name, { cluster: c, kubeconfig: cfg.kubeconfig, environment: cfg.environment });
        }
        case "stack": {
            const { SharedCluster } = require("./shared") as typeof import("./shared");
            return new SharedCluster(c.name, { source: stackRef(c.stack as string), environment: cfg.environment });
        }
    }
}

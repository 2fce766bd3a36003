import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../config/environment";
import { ClusterIdentity } from "../cluster/types";
import { StoreProvider } from "./eso-types";

/** What every store builder gets: where the operator's service account lives and who it is. */
export interface StoreContext {
    /** Prefix for child resource names. */
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly k8sProvider: K8sProvider;
    readonly environment: Environment;
    readonly app: string;
    /** The application namespace (known from config, so subjects can be written out). */
    readonly namespace: string;
    /** Service account the stores authenticate as. */
    readonly serviceAccount: string;
    readonly identity: ClusterIdentity;
    readonly clusterName: pulumi.Output<string>;
    readonly tags: Readonly<Record<string, string>>;
    readonly vaultToken?: string;
    readonly ibmApiKey?: string;
    /** The operator's Helm release, when this stack installs it (stores wait for its CRDs). */
    readonly operator?: pulumi.Resource;
}

/** What a store builder hands back: the ESO provider block and what the service account needs. */
export interface StoreWiring {
    readonly provider: StoreProvider;
    /** Annotations the operator's service account needs (workload identity). */
    readonly annotations: Record<string, pulumi.Input<string>>;
    /** Labels the operator's service account needs. */
    readonly labels?: Record<string, string>;
    /** The store-side key for a declared secret's remote key (adds the environment's prefix). */
    remoteKey(key: string): string;
    /** Resources the store must wait for (e.g. the identity's role binding). */
    readonly dependsOn: pulumi.Resource[];
}

/** `system:serviceaccount:<ns>:<sa>`: the subject of the operator's service-account tokens. */
export function subject(ctx: Pick<StoreContext, "namespace" | "serviceAccount">): string {
    return `system:serviceaccount:${ctx.namespace}:${ctx.serviceAccount}`;
}

import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { DnsConfig } from "../../config/dns";
import { Environment } from "../../config/environment";
import { ClusterIdentity } from "../cluster/types";

export type Values = Record<string, unknown>;

/** A Kubernetes service account that acts on the zone (external-dns's, cert-manager's). */
export interface ZoneUser {
    readonly namespace: string;
    readonly serviceAccount: string;
}

/** What every cloud's zone builder gets. */
export interface ZoneContext {
    /** Prefix for child resource names. */
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly k8sProvider: K8sProvider;
    readonly dns: DnsConfig;
    readonly environment: Environment;
    readonly app: string;
    readonly identity: ClusterIdentity;
    /** The cluster's region (AWS region, Azure location). */
    readonly region: string;
    /** GCP: the cluster's project (the zone's unless dns.project says otherwise). */
    readonly project?: string;
    /** The only service accounts the zone's identity trusts. */
    readonly users: readonly ZoneUser[];
    readonly tags: Readonly<Record<string, string>>;
    /** Protect a zone this stack creates against deletion (delivery:cluster.protect). */
    readonly protect: boolean;
}

/** What a zone builder hands back: the zone, and how external-dns and cert-manager reach it as its identity. */
export interface ZoneWiring {
    /** Route 53 hosted zone id, Azure DNS zone resource id, Cloud DNS managed zone name. */
    readonly zoneRef: pulumi.Output<string>;
    /** Name servers of a zone this stack creates (for the parent zone's delegation); [] for an existing zone. */
    readonly nameServers: pulumi.Output<string[]>;
    /** Annotations and labels of the service accounts acting as the zone identity (workload identity). */
    readonly serviceAccount: { readonly annotations: Record<string, pulumi.Input<string>>; readonly labels: Record<string, string> };
    /** Labels of their pods (Azure workload identity's webhook selects on one). */
    readonly podLabels: Record<string, string>;
    /** The external-dns chart values for this cloud (provider and its scope to the zone). */
    readonly externalDnsValues: pulumi.Output<Values>;
    /** The cert-manager ClusterIssuer's `dns01` solver for this zone. */
    readonly solver: pulumi.Output<Values>;
    /** Azure: external-dns's azure.json (ids only, no credential: it authenticates as the workload identity). */
    readonly externalDnsAzureConfig?: pulumi.Output<string>;
    /** What the controllers must wait for (the identity's permissions). */
    readonly dependsOn: pulumi.Resource[];
}

/** `system:serviceaccount:<ns>:<sa>`: the subject of a service account's tokens. */
export function subjectOf(u: ZoneUser): string {
    return `system:serviceaccount:${u.namespace}:${u.serviceAccount}`;
}

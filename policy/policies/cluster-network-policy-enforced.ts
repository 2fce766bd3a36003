import { PolicyResource } from "@pulumi/policy";
import { describeCluster } from "../lib/clusters";
import { stackPolicy } from "../lib/define";
import { peek } from "../lib/props";
import { CLUSTER_TYPES, clusterKind } from "../lib/types";

const EKS_ADDON = "aws:eks/addon:Addon";

/** An EKS cluster's VPC CNI add-on with network policy enforcement switched on. */
function cniEnforces(cluster: PolicyResource, resources: readonly PolicyResource[]): boolean {
    const name = peek(cluster.props, "name");
    return resources.some((r) => {
        if (r.type !== EKS_ADDON || peek(r.props, "addonName") !== "vpc-cni") {
            return false;
        }
        const owner = peek(r.props, "clusterName");
        if (owner !== undefined && name !== undefined && owner !== name) {
            return false;
        }
        const raw = peek(r.props, "configurationValues");
        try {
            const v = typeof raw === "string" ? JSON.parse(raw) : undefined;
            return String(v?.enableNetworkPolicy) === "true";
        } catch {
            return false;
        }
    });
}

/**
 * The namespace's default-deny NetworkPolicy is only as good as what enforces it: EKS's VPC CNI
 * ignores NetworkPolicies unless its add-on turns enforcement on; AKS needs a network policy
 * engine; GKE needs Dataplane V2 (or the Calico network policy add-on).
 */
export const clusterNetworkPolicyEnforced = stackPolicy({
    name: "cluster-network-policy-enforced",
    description: "Clusters enforce NetworkPolicies: EKS with the VPC CNI add-on's network policy on, AKS with a network policy engine, GKE with Dataplane V2 or network policy enabled.",
    severity: "high",
    topics: ["clusters", "network", "isolation"],
    scope: "all",
    blocks: "clusters whose NetworkPolicies (the namespace's default-deny) would not be enforced",
    remedy: "create the cluster with this program (it configures enforcement on every cloud), or enable the cloud's network policy enforcement",
    resourceTypes: [...CLUSTER_TYPES, EKS_ADDON],
    validate: ({ resources, report }) => {
        for (const r of resources) {
            const kind = clusterKind(r.type);
            if (kind === "EKS" && r.type === "aws:eks/cluster:Cluster" && !cniEnforces(r, resources)) {
                report(`${describeCluster(r.type, r.name)} has no vpc-cni add-on with enableNetworkPolicy: NetworkPolicies are stored but not enforced`, r,
                    "add an aws.eks.Addon vpc-cni with configurationValues {\"enableNetworkPolicy\":\"true\"}");
            } else if (kind === "AKS") {
                const policy = peek(r.props, "networkProfile", "networkPolicy") ?? peek(r.props, "networkProfile", 0, "networkPolicy");
                if (typeof policy !== "string" || !["azure", "calico", "cilium"].includes(policy)) {
                    report(`${describeCluster(r.type, r.name)} has no network policy engine (networkProfile.networkPolicy is ${policy === undefined ? "not set" : JSON.stringify(policy)})`, r,
                        "set networkProfile.networkPolicy to azure, calico or cilium");
                }
            } else if (kind === "GKE") {
                const dpv2 = peek(r.props, "datapathProvider") === "ADVANCED_DATAPATH";
                const calico = peek(r.props, "networkPolicy", "enabled") === true;
                if (!dpv2 && !calico) {
                    report(`${describeCluster(r.type, r.name)} enforces no NetworkPolicy (neither Dataplane V2 nor networkPolicy.enabled)`, r,
                        "set datapathProvider: ADVANCED_DATAPATH");
                }
            }
        }
    },
});

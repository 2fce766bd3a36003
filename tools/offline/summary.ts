/**
 * One-line summaries of registered resources for the offline plan: the inputs a reviewer looks
 * at first for each type, secrets already redacted.
 */
import { RegisteredResource } from "./evaluate";

/** Input paths shown per resource type; other types show their metadata name/namespace. */
const KEY_INPUTS: Record<string, string[]> = {
    "aws:eks/cluster:Cluster": ["version", "vpcConfig.endpointPublicAccess", "vpcConfig.publicAccessCidrs", "encryptionConfig.resources", "enabledClusterLogTypes", "deletionProtection"],
    "aws:eks/nodeGroup:NodeGroup": ["instanceTypes", "scalingConfig.minSize", "scalingConfig.maxSize", "nodeRepairConfig.enabled"],
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["availabilityZone", "cidrBlock"],
    "aws:kms/key:Key": ["enableKeyRotation"],
    "aws:iam/role:Role": ["name"],
    "azure-native:containerservice:ManagedCluster": ["kubernetesVersion", "apiServerAccessProfile.enablePrivateCluster", "disableLocalAccounts", "securityProfile.workloadIdentity.enabled", "autoUpgradeProfile.upgradeChannel"],
    "gcp:container/cluster:Cluster": ["location", "minMasterVersion", "privateClusterConfig.enablePrivateEndpoint", "databaseEncryption.state", "workloadIdentityConfig.workloadPool"],
    "gcp:container/nodePool:NodePool": ["nodeConfig.machineType", "autoscaling.totalMinNodeCount", "autoscaling.totalMaxNodeCount", "management.autoUpgrade"],
    "kubernetes:helm.sh/v3:Release": ["chart", "version", "namespace", "atomic"],
    "kubernetes:helm.sh/v4:Chart": ["chart", "version", "namespace", "skipAwait"],
    "kubernetes:apps/v1:Deployment": ["metadata.namespace", "spec.replicas", "spec.strategy.type", "spec.template.spec.containers.image", "spec.template.spec.serviceAccountName"],
    "kubernetes:apps/v1:StatefulSet": ["metadata.namespace", "spec.replicas", "spec.template.spec.containers.image"],
    "kubernetes:apps/v1:DaemonSet": ["metadata.namespace", "spec.template.spec.containers.image"],
    "kubernetes:batch/v1:Job": ["metadata.namespace", "spec.template.spec.containers.image"],
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["metadata.namespace", "spec.minReplicas", "spec.maxReplicas"],
    "kubernetes:policy/v1:PodDisruptionBudget": ["metadata.namespace", "spec.minAvailable", "spec.maxUnavailable"],
    "kubernetes:core/v1:Service": ["metadata.namespace", "spec.type", "spec.ports.port"],
    "kubernetes:networking.k8s.io/v1:Ingress": ["metadata.namespace", "spec.ingressClassName", "spec.rules.host", "spec.tls.secretName"],
    "kubernetes:core/v1:Namespace": ["metadata.name", "metadata.labels.pod-security.kubernetes.io/enforce"],
    "kubernetes:core/v1:ResourceQuota": ["metadata.namespace", "spec.hard.requests.cpu", "spec.hard.requests.memory", "spec.hard.pods"],
    "pulumi:pulumi:StackReference": ["name"],
};

function get(obj: any, path: string): unknown {
    if (Array.isArray(obj)) {
        const found = obj.map((x) => get(x, path)).filter((x) => x !== undefined);
        return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
    }
    // Label keys contain dots and slashes: try the longest key that exists at each level.
    let cur = obj;
    let rest = path;
    while (rest !== "" && cur !== null && typeof cur === "object") {
        if (Array.isArray(cur)) {
            return get(cur, rest);
        }
        const parts = rest.split(".");
        let matched = false;
        for (let n = parts.length; n > 0; n--) {
            const key = parts.slice(0, n).join(".");
            if (key in cur) {
                cur = cur[key];
                rest = parts.slice(n).join(".");
                matched = true;
                break;
            }
        }
        if (!matched) {
            return undefined;
        }
    }
    return rest === "" ? cur : undefined;
}

function show(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

export function summarize(r: RegisteredResource): string {
    const paths = KEY_INPUTS[r.type] ?? (r.type.startsWith("kubernetes:") ? ["metadata.name", "metadata.namespace"] : []);
    return paths
        .map((p) => [p, get(r.display, p)] as const)
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([p, v]) => `${p.includes("/") ? p.split("/").pop() : p.split(".").pop()}=${show(v)}`)
        .join(" ");
}

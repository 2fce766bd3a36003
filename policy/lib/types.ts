/**
 * Resource type tokens, grouped by what they mean. Every token in a group is treated the same way
 * by the policies (through the adapters in ./clusters and ./workloads), so a cluster made with the
 * classic AWS provider and one made with AWS Cloud Control are held to the same rules.
 */

/** Azure Native also publishes every API version as its own module (`containerservice/v20240901`). */
const azureNative = (module: string, resource: string) => new RegExp(`^azure-native:${module}(/v[0-9a-z]+)?:${resource}$`);

export const EKS_CLUSTER = ["aws:eks/cluster:Cluster", "aws-native:eks:Cluster"] as const;
export const AKS_CLUSTER_CLASSIC = "azure:containerservice/kubernetesCluster:KubernetesCluster";
export const AKS_CLUSTER_NATIVE = "azure-native:containerservice:ManagedCluster";
export const GKE_CLUSTER = ["gcp:container/cluster:Cluster"] as const;

export const EKS_NODE_GROUP = ["aws:eks/nodeGroup:NodeGroup", "aws-native:eks:Nodegroup"] as const;
export const AKS_AGENT_POOL_NATIVE = "azure-native:containerservice:AgentPool";
export const AKS_AGENT_POOL_CLASSIC = "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool";
export const GKE_NODE_POOL = ["gcp:container/nodePool:NodePool"] as const;

export type ClusterKind = "EKS" | "AKS" | "GKE";

export function clusterKind(type: string): ClusterKind | undefined {
    if ((EKS_CLUSTER as readonly string[]).includes(type)) {
        return "EKS";
    }
    if (type === AKS_CLUSTER_CLASSIC || azureNative("containerservice", "ManagedCluster").test(type)) {
        return "AKS";
    }
    if ((GKE_CLUSTER as readonly string[]).includes(type)) {
        return "GKE";
    }
    return undefined;
}

export function nodePoolKind(type: string): ClusterKind | undefined {
    if ((EKS_NODE_GROUP as readonly string[]).includes(type)) {
        return "EKS";
    }
    if (type === AKS_AGENT_POOL_CLASSIC || azureNative("containerservice", "AgentPool").test(type)) {
        return "AKS";
    }
    if ((GKE_NODE_POOL as readonly string[]).includes(type)) {
        return "GKE";
    }
    return undefined;
}

export const CLUSTER_TYPES: readonly string[] = [...EKS_CLUSTER, AKS_CLUSTER_NATIVE, AKS_CLUSTER_CLASSIC, ...GKE_CLUSTER];
export const NODE_POOL_TYPES: readonly string[] = [...EKS_NODE_GROUP, AKS_AGENT_POOL_NATIVE, AKS_AGENT_POOL_CLASSIC, ...GKE_NODE_POOL];

export const isCluster = (type: string) => clusterKind(type) !== undefined;
export const isNodePool = (type: string) => nodePoolKind(type) !== undefined;
/** Classic Azure provider (`azure:`) rather than Azure Native. */
export const isAzureClassic = (type: string) => type.startsWith("azure:");
/** AWS Cloud Control (`aws-native:`) rather than the classic AWS provider. */
export const isAwsNative = (type: string) => type.startsWith("aws-native:");

/** Control-plane diagnostic settings that carry AKS audit logs. */
export const AZURE_DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting";
export const isAzureDiagnosticSetting = (type: string) =>
    azureNative("monitor", "DiagnosticSetting").test(type) || azureNative("insights", "DiagnosticSetting").test(type) ||
    type === "azure:monitoring/diagnosticSetting:DiagnosticSetting";

export const AWS_OIDC_PROVIDER = ["aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws-native:iam:OidcProvider"] as const;
export const EKS_ADDON = ["aws:eks/addon:Addon", "aws-native:eks:Addon"] as const;

// Kubernetes ------------------------------------------------------------------------------------

const k8s = (groupVersions: string, kinds: string) => new RegExp(`^kubernetes:(${groupVersions}):(${kinds})$`);

const WORKLOAD = k8s("apps/v1|apps/v1beta1|apps/v1beta2|extensions/v1beta1", "Deployment|StatefulSet|DaemonSet|ReplicaSet");
const BATCH = k8s("batch/v1|batch/v1beta1", "Job|CronJob");
/** The core API's replicated workload (pods from spec.template, like a ReplicaSet). */
const CORE_WORKLOAD = k8s("core/v1", "ReplicationController");

export const POD = "kubernetes:core/v1:Pod";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
export const JOB = "kubernetes:batch/v1:Job";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
/** Documentation list of the workload kinds the pod-spec policies read (all API versions count). */
export const WORKLOAD_TYPES: readonly string[] = [DEPLOYMENT, STATEFUL_SET, DAEMON_SET, "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController", JOB, CRON_JOB, POD];

/** Kubernetes' own API groups (core, apps, batch, policy, autoscaling, `*.k8s.io`) and the provider's components. */
const BUILT_IN = /^kubernetes:(core|apps|batch|policy|autoscaling|extensions|[a-z0-9.-]+\.k8s\.io|helm\.sh|yaml|kustomize)\//;
/**
 * An operator's kind (a custom resource). Some carry a pod template their controller turns into
 * pods — Argo Rollouts, OpenKruise CloneSets, Knative Services (`spec.template.spec.containers`) —
 * and the workload policies judge that template like a Deployment's.
 */
export const isCustomResource = (type: string) => type.startsWith("kubernetes:") && !BUILT_IN.test(type);

export const isWorkload = (type: string) => WORKLOAD.test(type) || CORE_WORKLOAD.test(type) || BATCH.test(type) || type === POD || isCustomResource(type);
/** Long-running workloads (probes, replicas and disruption budgets matter). */
export const isServingWorkload = (type: string) => WORKLOAD.test(type) || CORE_WORKLOAD.test(type);
/** Workloads with a `spec.replicas` (DaemonSets run one per node). */
export const isReplicatedWorkload = (type: string) => (WORKLOAD.test(type) || CORE_WORKLOAD.test(type)) && !/:DaemonSet$/.test(type);
export const isCronJob = (type: string) => /:CronJob$/.test(type);

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart";
export const HELM_TYPES: readonly string[] = [HELM_RELEASE, HELM_CHART_V4];
export const isHelm = (type: string) => HELM_TYPES.includes(type);
/**
 * Helm resources whose rendered objects the engine never shows the pack (`helm.v3.Release`): only
 * for these do policies read the values, as an early hint. A `helm.v4.Chart` registers every
 * object it renders, and those objects are what the policies judge.
 */
export const HELM_VALUES_TYPES: readonly string[] = [HELM_RELEASE];
export const isHelmValues = (type: string) => HELM_VALUES_TYPES.includes(type);

export const SERVICE = "kubernetes:core/v1:Service";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const isIngress = (type: string) => k8s("networking.k8s.io/v1|networking.k8s.io/v1beta1|extensions/v1beta1", "Ingress").test(type);
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const isPdb = (type: string) => k8s("policy/v1|policy/v1beta1", "PodDisruptionBudget").test(type);
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const isHpa = (type: string) => k8s("autoscaling/v1|autoscaling/v2|autoscaling/v2beta1|autoscaling/v2beta2", "HorizontalPodAutoscaler").test(type);
export const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
export const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
export const isRoleBinding = (type: string) => k8s("rbac.authorization.k8s.io/v1|rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding|RoleBinding").test(type);

// External Secrets Operator (external-secrets.io/v1, and v1beta1 still served by older operators).
export const SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore";
export const CLUSTER_SECRET_STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
export const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
export const isClusterSecretStore = (type: string) => k8s("external-secrets.io/v1|external-secrets.io/v1beta1", "ClusterSecretStore").test(type);
export const isSecretStore = (type: string) => k8s("external-secrets.io/v1|external-secrets.io/v1beta1", "SecretStore|ClusterSecretStore").test(type);
export const isExternalSecret = (type: string) => k8s("external-secrets.io/v1|external-secrets.io/v1beta1", "ExternalSecret|ClusterExternalSecret").test(type);

export const STACK_REFERENCE = "pulumi:pulumi:StackReference";
export const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
export const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
export const isRole = (type: string) => /^kubernetes:rbac\.authorization\.k8s\.io\/v1(beta1)?:(ClusterRole|Role)$/.test(type);

// DNS and certificates (cert-manager.io/v1; the zone of each cloud).
export const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
export const isClusterIssuer = (type: string) => /^kubernetes:cert-manager\.io\/v1:ClusterIssuer$/.test(type);
export const DNS_ZONE_TYPES: readonly string[] = ["aws:route53/zone:Zone", "azure-native:dns:Zone", "gcp:dns/managedZone:ManagedZone"];

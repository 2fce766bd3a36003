/**
 * The delivery policy pack: its name, version and every policy, in the order they are reported.
 * Importing this module has no side effects; `index.ts` serves these policies to the Pulumi CLI,
 * and the offline check (tools/offline/policy-check.ts) and the tests run the same objects.
 */
import * as fs from "fs";
import * as path from "path";
import { DeliveryPolicy } from "./lib/define";
import { clusterAuditLogging } from "./policies/cluster-audit-logging";
import { clusterAutoUpgrade } from "./policies/cluster-auto-upgrade";
import { clusterDeletionProtection } from "./policies/cluster-deletion-protection";
import { clusterEndpointAllowlist } from "./policies/cluster-endpoint-allowlist";
import { clusterLegacyAuth } from "./policies/cluster-legacy-auth";
import { clusterNetworkPolicyEnforced } from "./policies/cluster-network-policy-enforced";
import { clusterSecretsEncryption } from "./policies/cluster-secrets-encryption";
import { clusterVersionFloor } from "./policies/cluster-version-floor";
import { clusterWorkloadIdentity } from "./policies/cluster-workload-identity";
import { clusterZoneRedundancy } from "./policies/cluster-zone-redundancy";
import { clusterrolebindingClusterAdmin } from "./policies/clusterrolebinding-cluster-admin";
import { clustersecretstoreNamespaceConditions } from "./policies/clustersecretstore-namespace-conditions";
import { externalsecretScopedFind } from "./policies/externalsecret-scoped-find";
import { helmReleaseChartPinned } from "./policies/helm-release-chart-pinned";
import { ingressTls } from "./policies/ingress-tls";
import { ingressControllerSnippets } from "./policies/ingress-controller-snippets";
import { serviceTrafficAfterReady } from "./policies/service-traffic-after-ready";
import { ingressIssuerZone } from "./policies/ingress-issuer-zone";
import { namespaceDefaultDeny } from "./policies/namespace-default-deny";
import { namespacePodSecurity } from "./policies/namespace-pod-security";
import { namespaceQuotaFitsWorkloads } from "./policies/namespace-quota-fits-workloads";
import { namespaceResourceQuota } from "./policies/namespace-resource-quota";
import { nodepoolAutoUpgrade } from "./policies/nodepool-auto-upgrade";
import { nodepoolMinimumSize } from "./policies/nodepool-minimum-size";
import { secretstoreWorkloadIdentity } from "./policies/secretstore-workload-identity";
import { workloadCloudIdentity } from "./policies/workload-cloud-identity";
import { servicePublicExposure } from "./policies/service-public-exposure";
import { stackPolicyConfigEnvironment } from "./policies/stack-policy-config-environment";
import { stackEmergencyPin } from "./policies/stack-emergency-pin";
import { stackRolloutAwaited } from "./policies/stack-rollout-awaited";
import { stackGateOverride } from "./policies/stack-gate-override";
import { stackBudget } from "./policies/stack-budget";
import { workloadObservabilityProduction } from "./policies/workload-observability-production";
import { stackPromotionFromStaging } from "./policies/stack-promotion-from-staging";
import { stackreferencePromotionSource } from "./policies/stackreference-promotion-source";
import { workloadDisruptionBudget } from "./policies/workload-disruption-budget";
import { workloadHealthProbes } from "./policies/workload-health-probes";
import { workloadHostNamespaces } from "./policies/workload-host-namespaces";
import { workloadImagePinned } from "./policies/workload-image-pinned";
import { workloadImageRegistry } from "./policies/workload-image-registry";
import { workloadImagePromoted } from "./policies/workload-image-promoted";
import { workloadEnvironmentProduction } from "./policies/workload-environment-production";
import { workloadPlaintextSecrets } from "./policies/workload-plaintext-secrets";
import { workloadPrivilegeEscalation } from "./policies/workload-privilege-escalation";
import { workloadPrivileged } from "./policies/workload-privileged";
import { workloadReadOnlyRootFilesystem } from "./policies/workload-read-only-root-filesystem";
import { workloadRunAsNonRoot } from "./policies/workload-run-as-non-root";
import { workloadReplicasMinimum } from "./policies/workload-replicas-minimum";
import { workloadResourceLimits } from "./policies/workload-resource-limits";
import { workloadZoneSpread } from "./policies/workload-zone-spread";
import { helmReleaseChartSource } from "./policies/helm-release-chart-source";
import { workloadAutoscalerRange } from "./policies/workload-autoscaler-range";
import { roleLeastPrivilege } from "./policies/role-least-privilege";
import { workloadContainerHygiene } from "./policies/workload-container-hygiene";
import { workloadPodSecurityRestricted } from "./policies/workload-pod-security-restricted";
import { workloadRolloutKeepsServing } from "./policies/workload-rollout-keeps-serving";
import { workloadServiceAccount } from "./policies/workload-service-account";

export { DeliveryPolicy };

export const PACK_NAME = "delivery-guardrails";
/**
 * The version in policy/package.json (PolicyPack reads the same file when the CLI runs it), found
 * from here or from the compiled copy under policy/bin/<digest>/.
 */
export const PACK_VERSION: string = packageVersion(__dirname);

function packageVersion(dir: string): string {
    for (let d = dir; ; d = path.dirname(d)) {
        const file = path.join(d, "package.json");
        if (fs.existsSync(file)) {
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (pkg.name === PACK_NAME && typeof pkg.version === "string") {
                return pkg.version;
            }
        }
        if (path.dirname(d) === d) {
            throw new Error(`no package.json of ${PACK_NAME} above ${dir}`);
        }
    }
}
export const PACK_DESCRIPTION =
    "Blocks unsafe production settings of the delivery program (clusters, workloads, namespaces, secret stores, promotion); advisory in dev and staging.";

export const policies: readonly DeliveryPolicy[] = [
    // Clusters
    clusterEndpointAllowlist,
    clusterSecretsEncryption,
    clusterAuditLogging,
    clusterVersionFloor,
    clusterAutoUpgrade,
    nodepoolAutoUpgrade,
    clusterWorkloadIdentity,
    clusterLegacyAuth,
    nodepoolMinimumSize,
    clusterZoneRedundancy,
    clusterDeletionProtection,
    clusterNetworkPolicyEnforced,
    // Workloads and the Helm release
    workloadReplicasMinimum,
    workloadDisruptionBudget,
    workloadResourceLimits,
    workloadImagePinned,
    workloadImageRegistry,
    workloadImagePromoted,
    workloadEnvironmentProduction,
    helmReleaseChartPinned,
    helmReleaseChartSource,
    workloadPrivileged,
    workloadHostNamespaces,
    workloadPrivilegeEscalation,
    workloadRunAsNonRoot,
    workloadReadOnlyRootFilesystem,
    workloadHealthProbes,
    workloadPodSecurityRestricted,
    workloadServiceAccount,
    workloadContainerHygiene,
    workloadRolloutKeepsServing,
    serviceTrafficAfterReady,
    workloadAutoscalerRange,
    workloadZoneSpread,
    servicePublicExposure,
    ingressTls,
    ingressControllerSnippets,
    ingressIssuerZone,
    workloadPlaintextSecrets,
    // Namespaces, isolation and secret stores
    namespaceResourceQuota,
    namespaceQuotaFitsWorkloads,
    namespaceDefaultDeny,
    namespacePodSecurity,
    clustersecretstoreNamespaceConditions,
    secretstoreWorkloadIdentity,
    workloadCloudIdentity,
    externalsecretScopedFind,
    clusterrolebindingClusterAdmin,
    roleLeastPrivilege,
    // Promotion and the pack's own configuration
    stackreferencePromotionSource,
    stackPromotionFromStaging,
    stackEmergencyPin,
    stackRolloutAwaited,
    stackGateOverride,
    stackBudget,
    workloadObservabilityProduction,
    stackPolicyConfigEnvironment,
];

export function policyByName(name: string): DeliveryPolicy | undefined {
    return policies.find((p) => p.name === name);
}

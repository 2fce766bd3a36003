/**
 * One reading of EKS, AKS and GKE clusters (each provider's token) for the cluster policies:
 * the same question ("is the API endpoint public?") answered from each cloud's properties.
 */
import { isSet, list, read } from "./props";
import { ClusterKind, clusterKind, isAwsNative, isAzureClassic } from "./types";

export function kindOf(type: string): ClusterKind {
    const k = clusterKind(type);
    if (!k) {
        throw new Error(`${type} is not a Kubernetes cluster type`);
    }
    return k;
}

/** `EKS cluster delivery-prod-eks`. */
export function describeCluster(type: string, name: string): string {
    return `${kindOf(type)} cluster ${name}`;
}

export interface EndpointExposure {
    /** The API server is reachable from the internet. */
    readonly public: boolean;
    /** CIDRs allowed to reach a public endpoint; `undefined` means every address. */
    readonly allowList?: readonly string[];
    /** Where the allow-list lives, for messages. */
    readonly setting: string;
}

export function endpointExposure(type: string, p: any): EndpointExposure {
    switch (kindOf(type)) {
        case "EKS": {
            const vpc = isAwsNative(type) ? "resourcesVpcConfig" : "vpcConfig";
            const cidrs = read(p, vpc, "publicAccessCidrs");
            return {
                public: read(p, vpc, "endpointPublicAccess") !== false, // EKS default: public
                allowList: Array.isArray(cidrs) && cidrs.length > 0 ? [...cidrs] : undefined, // EKS default: 0.0.0.0/0
                setting: `${vpc}.publicAccessCidrs`,
            };
        }
        case "AKS": {
            if (isAzureClassic(type)) {
                const cidrs = read(p, "apiServerAccessProfile", "authorizedIpRanges") ?? read(p, "apiServerAuthorizedIpRanges");
                return {
                    public: read(p, "privateClusterEnabled") !== true,
                    allowList: Array.isArray(cidrs) && cidrs.length > 0 ? [...cidrs] : undefined,
                    setting: "apiServerAccessProfile.authorizedIpRanges",
                };
            }
            const cidrs = read(p, "apiServerAccessProfile", "authorizedIPRanges");
            return {
                public: read(p, "apiServerAccessProfile", "enablePrivateCluster") !== true,
                allowList: Array.isArray(cidrs) && cidrs.length > 0 ? [...cidrs] : undefined,
                setting: "apiServerAccessProfile.authorizedIPRanges",
            };
        }
        case "GKE": {
            const networks = read(p, "masterAuthorizedNetworksConfig");
            const blocks = networks === undefined || networks === null ? undefined : list(networks, "cidrBlocks").map((b) => read(b, "cidrBlock"));
            return {
                public: read(p, "privateClusterConfig", "enablePrivateEndpoint") !== true,
                // Authorized networks switched on with no blocks admit no public address at all.
                allowList: blocks,
                setting: "masterAuthorizedNetworksConfig.cidrBlocks",
            };
        }
    }
}

/** Why Kubernetes secrets are not envelope-encrypted with a customer KMS key, or undefined. */
export function secretsEncryptionProblem(type: string, p: any): string | undefined {
    switch (kindOf(type)) {
        case "EKS": {
            const configs = isAwsNative(type) ? list(p, "encryptionConfig") : read(p, "encryptionConfig") ? [read(p, "encryptionConfig")] : [];
            if (configs.length === 0) {
                return "has no encryptionConfig: Kubernetes secrets are stored without KMS envelope encryption";
            }
            const forSecrets = configs.filter((c) => list(c, "resources").includes("secrets"));
            if (forSecrets.length === 0) {
                return "has an encryptionConfig that does not cover \"secrets\"";
            }
            if (!forSecrets.some((c) => isSet(c, "provider", "keyArn"))) {
                return "encrypts secrets without naming a KMS key (encryptionConfig.provider.keyArn)";
            }
            return undefined;
        }
        case "AKS": {
            if (isAzureClassic(type)) {
                return isSet(p, "keyManagementService", "keyVaultKeyId") ? undefined
                    : "has no keyManagementService.keyVaultKeyId: etcd secrets are not encrypted with a Key Vault key";
            }
            if (read(p, "securityProfile", "azureKeyVaultKms", "enabled") !== true) {
                return "does not enable securityProfile.azureKeyVaultKms: etcd secrets are not encrypted with a Key Vault key";
            }
            return isSet(p, "securityProfile", "azureKeyVaultKms", "keyId") ? undefined
                : "enables Key Vault KMS without a key (securityProfile.azureKeyVaultKms.keyId)";
        }
        case "GKE": {
            const state = read(p, "databaseEncryption", "state");
            if (state !== "ENCRYPTED") {
                return `has databaseEncryption.state ${state === undefined ? "unset" : JSON.stringify(state)}: secrets in etcd are not encrypted with a Cloud KMS key`;
            }
            return isSet(p, "databaseEncryption", "keyName") ? undefined : "encrypts the database without a key (databaseEncryption.keyName)";
        }
    }
}

/** The control plane's Kubernetes version and where it is set; value undefined when not set. */
export function controlPlaneVersion(type: string, p: any): { readonly value?: string; readonly setting: string } {
    switch (kindOf(type)) {
        case "EKS":
            return { value: read(p, "version"), setting: "version" };
        case "AKS":
            return { value: read(p, "kubernetesVersion"), setting: "kubernetesVersion" };
        case "GKE":
            return { value: read(p, "minMasterVersion"), setting: "minMasterVersion" };
    }
}

/** Why the control plane is not kept current automatically (empty when it is). */
export function controlPlaneUpgradeProblems(type: string, p: any): string[] {
    switch (kindOf(type)) {
        case "EKS": {
            const support = read(p, "upgradePolicy", "supportType");
            return support === "STANDARD" ? []
                : [`has upgradePolicy.supportType ${support === undefined ? "unset (EKS then defaults to EXTENDED)" : JSON.stringify(support)}: the control plane is not upgraded when standard support ends`];
        }
        case "AKS": {
            const channel = isAzureClassic(type) ? read(p, "automaticUpgradeChannel") ?? read(p, "automaticChannelUpgrade") : read(p, "autoUpgradeProfile", "upgradeChannel");
            return channel !== undefined && String(channel).toLowerCase() !== "none" ? []
                : [`has no automatic upgrade channel (${channel === undefined ? "unset" : JSON.stringify(channel)}): the cluster receives no Kubernetes patch upgrades`];
        }
        case "GKE": {
            const channel = read(p, "releaseChannel", "channel");
            return channel !== undefined && channel !== "UNSPECIFIED" ? []
                : [`is on no release channel (releaseChannel.channel ${channel === undefined ? "unset" : JSON.stringify(channel)}): GKE does not keep it upgraded`];
        }
    }
}

/** Authentication that bypasses the cloud's identity system (empty when there is none). */
export function legacyAuthProblems(type: string, p: any): string[] {
    const problems: string[] = [];
    switch (kindOf(type)) {
        case "EKS": {
            const mode = read(p, "accessConfig", "authenticationMode");
            if (mode !== "API") {
                problems.push(`authenticates through the aws-auth ConfigMap (accessConfig.authenticationMode ${mode === undefined ? "unset, which means CONFIG_MAP" : JSON.stringify(mode)})`);
            }
            break;
        }
        case "AKS": {
            const classic = isAzureClassic(type);
            const localDisabled = classic ? read(p, "localAccountDisabled") : read(p, "disableLocalAccounts");
            if (localDisabled !== true) {
                problems.push(`keeps local accounts (${classic ? "localAccountDisabled" : "disableLocalAccounts"} is not true): a static admin kubeconfig bypasses Entra ID`);
            }
            const rbac = classic ? read(p, "roleBasedAccessControlEnabled") : read(p, "enableRBAC");
            if (rbac === false) {
                problems.push(`turns Kubernetes RBAC off (${classic ? "roleBasedAccessControlEnabled" : "enableRBAC"}: false)`);
            }
            break;
        }
        case "GKE": {
            if (isSet(p, "masterAuth", "username") || isSet(p, "masterAuth", "password")) {
                problems.push("enables basic authentication (masterAuth.username/password)");
            }
            if (read(p, "masterAuth", "clientCertificateConfig", "issueClientCertificate") === true) {
                problems.push("issues a client certificate (masterAuth.clientCertificateConfig.issueClientCertificate: true)");
            }
            break;
        }
    }
    return problems;
}

/** Workload identity / OIDC federation settings missing on the cluster resource itself. */
export function workloadIdentityProblems(type: string, p: any): string[] {
    const problems: string[] = [];
    switch (kindOf(type)) {
        case "EKS":
            break; // an IAM OIDC provider or the Pod Identity add-on: separate resources (stack-level check)
        case "AKS":
            if (isAzureClassic(type)) {
                if (read(p, "oidcIssuerEnabled") !== true) {
                    problems.push("does not enable the OIDC issuer (oidcIssuerEnabled)");
                }
                if (read(p, "workloadIdentityEnabled") !== true) {
                    problems.push("does not enable workload identity (workloadIdentityEnabled)");
                }
            } else {
                if (read(p, "oidcIssuerProfile", "enabled") !== true) {
                    problems.push("does not enable the OIDC issuer (oidcIssuerProfile.enabled)");
                }
                if (read(p, "securityProfile", "workloadIdentity", "enabled") !== true) {
                    problems.push("does not enable workload identity (securityProfile.workloadIdentity.enabled)");
                }
            }
            break;
        case "GKE":
            if (!isSet(p, "workloadIdentityConfig", "workloadPool")) {
                problems.push("has no workload identity pool (workloadIdentityConfig.workloadPool)");
            }
            break;
    }
    return problems;
}

import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../../config/model";
import { subnet } from "./cidr";
import { ClusterIdentity, KubernetesCluster } from "./types";

/** Control-plane log categories sent to Log Analytics. */
export const AKS_LOG_CATEGORIES = ["kube-audit-admin", "kube-apiserver", "kube-controller-manager", "guard"];
/** Built-in role that lets the control plane wrap and unwrap with the KMS key. */
export const KEY_VAULT_CRYPTO_USER_ROLE = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";

export interface AksClusterArgs {
    readonly cluster: ClusterConfig;
    readonly tags: Readonly<Record<string, string>>;
    /** Retention of the Log Analytics workspace (delivery:observability.logs.retentionDays). */
    readonly logRetentionDays: number;
}

/**
 * An AKS cluster in its own VNet: Entra ID auth only (local accounts off), OIDC issuer and
 * workload identity on, secrets encrypted with a Key Vault key, audit logs to Log Analytics,
 * a zone-spread autoscaling system pool and automatic patch upgrades.
 */
export class AksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: K8sProvider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:cluster:AksCluster", name, {}, opts);
        const c = args.cluster;
        const tags = { ...args.tags };
        const parent = { parent: this };
        const client = authorization.getClientConfigOutput(parent);

        const resourceGroupName = c.resourceGroup !== undefined
            ? pulumi.output(c.resourceGroup)
            : new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: `rg-${c.name}`, location: c.region, tags }, parent).name;

        const vnet = new network.VirtualNetwork(`${name}-vnet`, {
            resourceGroupName, location: c.region, addressSpace: { addressPrefixes: [c.networkCidr] }, tags,
        }, { parent: this, ignoreChanges: ["subnets"] });
        const nodeSubnet = new network.Subnet(`${name}-nodes-subnet`, {
            resourceGroupName, virtualNetworkName: vnet.name, addressPrefix: subnet(c.networkCidr, 4, 0),
        }, parent);

        const controlPlaneIdentity = new managedidentity.UserAssignedIdentity(`${name}-control-plane`, {
            resourceGroupName, location: c.region, tags,
        }, parent);

        let kms: { enabled: boolean; keyId: pulumi.Input<string>; keyVaultNetworkAccess: string } | undefined;
        if (c.kmsEncryption) {
            const keyId = c.kmsKeyId !== undefined ? pulumi.output(c.kmsKeyId) : this.createKmsKey(name, c, resourceGroupName, client.tenantId, controlPlaneIdentity.principalId, tags);
            kms = { enabled: true, keyId, keyVaultNetworkAccess: "Public" };
        }

        const cluster = new containerservice.ManagedCluster(`${name}-aks`, {
            resourceGroupName,
            resourceName: c.name,
            location: c.region,
            dnsPrefix: c.name,
            kubernetesVersion: c.version,
            identity: { type: "UserAssigned", userAssignedIdentities: [controlPlaneIdentity.id] },
            enableRBAC: true,
            disableLocalAccounts: true,
            aadProfile: { managed: true, enableAzureRBAC: true, tenantID: client.tenantId },
            agentPoolProfiles: [{
                name: "system",
                mode: "System",
                type: "VirtualMachineScaleSets",
                vmSize: c.nodes.size,
                osDiskSizeGB: c.nodes.diskGiB,
                osType: "Linux",
                count: c.nodes.min,
                minCount: c.nodes.min,
                maxCount: c.nodes.max,
                enableAutoScaling: true,
                availabilityZones: [...c.zones],
                vnetSubnetID: nodeSubnet.id,
            }],
            apiServerAccessProfile: {
                enablePrivateCluster: c.privateEndpoint,
                authorizedIPRanges: c.privateEndpoint || c.allowedCidrs.length === 0 ? undefined : [...c.allowedCidrs],
            },
            networkProfile: { networkPlugin: "azure", networkPolicy: "azure", loadBalancerSku: "standard" },
            oidcIssuerProfile: { enabled: true },
            securityProfile: { workloadIdentity: { enabled: true }, azureKeyVaultKms: kms },
            autoUpgradeProfile: c.autoUpgrade
                ? { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" }
                : { upgradeChannel: "none", nodeOSUpgradeChannel: "None" },
            tags,
        }, { parent: this, protect: c.protect, ignoreChanges: ["agentPoolProfiles[0].count"] });

        if (c.logging) {
            const workspace = new operationalinsights.Workspace(`${name}-logs`, {
                resourceGroupName, location: c.region, sku: { name: "PerGB2018" }, retentionInDays: args.logRetentionDays, tags,
            }, parent);
            new monitor.DiagnosticSetting(`${name}-audit`, {
                resourceUri: cluster.id,
                workspaceId: workspace.id,
                logs: AKS_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
            }, parent);
        }

        const creds = containerservice.listManagedClusterUserCredentialsOutput({
            resourceGroupName, resourceName: cluster.name, format: "exec",
        }, parent);
        this.clusterName = cluster.name;
        this.kubeconfig = pulumi.secret(creds.kubeconfigs.apply((k) => Buffer.from(k[0].value, "base64").toString("utf8")));
        this.provider = new K8sProvider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);
        this.identity = {
            kind: "azure",
            oidcIssuerUrl: cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? ""),
            oidcProviderArn: pulumi.output(""),
            gcpProject: pulumi.output(""),
            workloadPool: pulumi.output(""),
            location: pulumi.output(c.region),
            resourceGroupName,
            azureTenantId: client.tenantId,
            apiServerUrl: pulumi.all([cluster.fqdn, cluster.privateFQDN]).apply(([fqdn, privateFqdn]) => `https://${privateFqdn || fqdn}:443`),
        };
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }

    /** A Key Vault (RBAC, purge protection) with an RSA key the control plane may use. */
    private createKmsKey(
        name: string, c: ClusterConfig, resourceGroupName: pulumi.Output<string>, tenantId: pulumi.Output<string>,
        principalId: pulumi.Output<string>, tags: Record<string, string>,
    ): pulumi.Output<string> {
        const parent = { parent: this };
        const vault = new keyvault.Vault(`${name}-kms-vault`, {
            resourceGroupName,
            location: c.region,
            properties: {
                tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enablePurgeProtection: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
            },
            tags,
        }, parent);
        const key = new keyvault.Key(`${name}-secrets-key`, {
            resourceGroupName,
            vaultName: vault.name,
            properties: { kty: "RSA", keySize: 2048, keyOps: ["wrapKey", "unwrapKey", "encrypt", "decrypt"] },
        }, parent);
        new authorization.RoleAssignment(`${name}-kms-access`, {
            scope: vault.id,
            principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: pulumi.interpolate`/subscriptions/${vault.id.apply((id) => id.split("/")[2])}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_CRYPTO_USER_ROLE}`,
        }, parent);
        return key.keyUriWithVersion;
    }
}

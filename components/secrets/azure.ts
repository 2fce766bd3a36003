import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { SHORT_NAMES } from "../../config/environment";
import { AzureStoreConfig } from "../../config/secrets";
import { StoreContext, StoreWiring, subject } from "./context";

/** Built-in role: read secret contents, nothing else. */
export const KEY_VAULT_SECRETS_USER_ROLE = "4633458b-17de-408a-b874-0445c86b69e6";
export const AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/**
 * Azure Key Vault through workload identity: one vault per environment (or an existing one), a
 * user-assigned identity federated with the operator's service account, Key Vault Secrets User
 * on that vault only.
 */
export function azureStore(ctx: StoreContext, store: AzureStoreConfig): StoreWiring {
    const parent = { parent: ctx.parent };
    if (store.clientId !== undefined && store.vaultUrl !== undefined) {
        return wiring(ctx, store.vaultUrl, store.clientId, store.tenantId ?? ctx.identity.azureTenantId, []);
    }
    const short = SHORT_NAMES[ctx.environment];
    const resourceGroupName = store.resourceGroup !== undefined ? pulumi.output(store.resourceGroup) : ctx.identity.resourceGroupName;
    const location = store.location !== undefined ? pulumi.output(store.location) : ctx.identity.location;
    const tenantId = ctx.identity.azureTenantId;

    let vaultUrl: pulumi.Output<string>;
    let vaultId: pulumi.Output<string>;
    if (store.vaultUrl !== undefined) {
        vaultUrl = pulumi.output(store.vaultUrl);
        const vaultName = store.vaultUrl.replace(/^https:\/\//, "").split(".")[0];
        vaultId = keyvault.getVaultOutput({ resourceGroupName, vaultName }, parent).id;
    } else {
        const vault = new keyvault.Vault(`${ctx.name}-${store.name}-vault`, {
            resourceGroupName,
            location,
            vaultName: `kv-${ctx.app}-${short}`.slice(0, 24),
            properties: {
                tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                enablePurgeProtection: true,
                softDeleteRetentionInDays: 90,
            },
            tags: { ...ctx.tags },
        }, parent);
        vaultUrl = vault.properties.apply((p) => p.vaultUri ?? "");
        vaultId = vault.id;
    }

    const identity = new managedidentity.UserAssignedIdentity(`${ctx.name}-${store.name}-identity`, {
        resourceGroupName, location, tags: { ...ctx.tags },
    }, parent);
    const federation = new managedidentity.FederatedIdentityCredential(`${ctx.name}-${store.name}-federation`, {
        resourceGroupName,
        resourceName: identity.name,
        issuer: ctx.identity.oidcIssuerUrl,
        subject: subject(ctx),
        audiences: [AZURE_TOKEN_AUDIENCE],
    }, parent);
    const access = new authorization.RoleAssignment(`${ctx.name}-${store.name}-secrets-user`, {
        scope: vaultId,
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`/subscriptions/${vaultId.apply((id) => id.split("/")[2])}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE}`,
    }, parent);
    return wiring(ctx, vaultUrl, identity.clientId, tenantId, [federation, access]);
}

function wiring(ctx: StoreContext, vaultUrl: pulumi.Input<string>, clientId: pulumi.Input<string>, tenantId: pulumi.Input<string>, dependsOn: pulumi.Resource[]): StoreWiring {
    return {
        provider: { azurekv: { authType: "WorkloadIdentity", vaultUrl, tenantId, serviceAccountRef: { name: ctx.serviceAccount } } },
        annotations: { "azure.workload.identity/client-id": clientId, "azure.workload.identity/tenant-id": tenantId },
        labels: { "azure.workload.identity/use": "true" },
        // The vault belongs to one environment, so names need no prefix.
        remoteKey: (key) => key,
        dependsOn,
    };
}

import * as authorization from "@pulumi/azure-native/authorization";
import * as dns from "@pulumi/azure-native/dns";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_TOKEN_AUDIENCE } from "../secrets/azure";
import { Values, ZoneContext, ZoneWiring, subjectOf } from "./context";

/** Built-in role: manage a DNS zone's records, not its access or other zones. */
export const DNS_ZONE_CONTRIBUTOR_ROLE = "befefa01-2a29-4197-83a8-272ff33ce314";

/**
 * An Azure DNS zone (or an existing one) and a user-assigned identity federated with the
 * external-dns and cert-manager service accounts, DNS Zone Contributor on that zone only.
 */
export function azureZone(ctx: ZoneContext): ZoneWiring {
    const parent = { parent: ctx.parent };
    const d = ctx.dns;
    const resourceGroupName = d.resourceGroup !== undefined ? pulumi.output(d.resourceGroup) : ctx.identity.resourceGroupName;
    let zoneId: pulumi.Output<string>;
    let nameServers: pulumi.Output<string[]> = pulumi.output([]);
    if (d.create) {
        const zone = new dns.Zone(`${ctx.name}-zone`, {
            resourceGroupName,
            zoneName: d.zone,
            location: "global",
            zoneType: "Public",
            tags: { ...ctx.tags },
        }, { ...parent, protect: ctx.protect });
        zoneId = zone.id;
        nameServers = zone.nameServers;
    } else {
        zoneId = dns.getZoneOutput({ resourceGroupName, zoneName: d.zone }, parent).apply((z) => z.id);
    }
    const subscriptionId = zoneId.apply((id) => id.split("/")[2] ?? "");
    const identity = new managedidentity.UserAssignedIdentity(`${ctx.name}-zone-identity`, {
        resourceGroupName: ctx.identity.resourceGroupName, location: ctx.identity.location, tags: { ...ctx.tags },
    }, parent);
    const federations = ctx.users.map((u) => new managedidentity.FederatedIdentityCredential(`${ctx.name}-zone-${u.serviceAccount}`, {
        resourceGroupName: ctx.identity.resourceGroupName,
        resourceName: identity.name,
        issuer: ctx.identity.oidcIssuerUrl,
        subject: subjectOf(u),
        audiences: [AZURE_TOKEN_AUDIENCE],
    }, parent));
    const access = new authorization.RoleAssignment(`${ctx.name}-zone-contributor`, {
        scope: zoneId,
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DNS_ZONE_CONTRIBUTOR_ROLE}`,
    }, parent);
    const use = { "azure.workload.identity/use": "true" };
    return {
        zoneRef: zoneId,
        nameServers,
        serviceAccount: { annotations: { "azure.workload.identity/client-id": identity.clientId, "azure.workload.identity/tenant-id": ctx.identity.azureTenantId }, labels: use },
        podLabels: use,
        externalDnsValues: zoneId.apply((): Values => ({ provider: { name: "azure" } })),
        externalDnsAzureConfig: pulumi.all([ctx.identity.azureTenantId, subscriptionId, resourceGroupName, identity.clientId]).apply(([tenantId, sub, rg, clientId]) =>
            JSON.stringify({ tenantId, subscriptionId: sub, resourceGroup: rg, useWorkloadIdentityExtension: true, userAssignedIdentityID: clientId })),
        solver: pulumi.all([subscriptionId, resourceGroupName, identity.clientId]).apply(([sub, rg, clientId]): Values => ({
            azureDNS: { subscriptionID: sub, resourceGroupName: rg, hostedZoneName: d.zone, environment: "AzurePublicCloud", managedIdentity: { clientID: clientId } },
        })),
        dependsOn: [...federations, access],
    };
}

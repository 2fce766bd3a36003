/**
 * Offline stand-ins for what cloud providers compute (endpoints, ARNs, OIDC issuers) and for
 * invokes. Values are placeholders shaped like the real ones so that wiring can be checked.
 */
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_TENANT = "00000000-0000-0000-0000-00000000a2e0";
export const MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-0000000005b5";
export const MOCK_PROJECT_NUMBER = "987654321098";
const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nOFFLINE-PLAN-PLACEHOLDER\n-----END CERTIFICATE-----\n").toString("base64");

function shortHash(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16).toUpperCase();
}

/** Outputs of upstream stacks, by stack reference name. */
export type UpstreamOutputs = Record<string, Record<string, unknown>>;

type State = Record<string, any>;

function computed(type: string, name: string, inputs: State, upstream: UpstreamOutputs): State {
    const physical = inputs.name ?? name;
    switch (type) {
        case "pulumi:pulumi:StackReference": {
            const outputs = upstream[inputs.name];
            if (!outputs) {
                throw new Error(`unknown stack "${inputs.name}" (no such stack in this offline evaluation)`);
            }
            const { __secretOutputNames, ...rest } = outputs as { __secretOutputNames?: string[] };
            return { name: inputs.name, outputs: rest, secretOutputNames: __secretOutputNames ?? [] };
        }
        case "aws:eks/cluster:Cluster": {
            const issuer = `https://oidc.eks.eu-west-1.amazonaws.com/id/${shortHash(physical)}`;
            return {
                arn: `arn:aws:eks:eu-west-1:${MOCK_ACCOUNT}:cluster/${physical}`,
                endpoint: `https://${shortHash(physical)}.gr7.eu-west-1.eks.amazonaws.com`,
                certificateAuthority: { data: FAKE_CA },
                identities: [{ oidcs: [{ issuer }] }],
            };
        }
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}` };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}`, name: physical };
        case "aws:iam/policy:Policy":
            return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${physical}` };
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT}:key/${shortHash(name)}`, keyId: shortHash(name) };
        case "azure-native:containerservice:ManagedCluster":
            return { oidcIssuerProfile: { enabled: true, issuerURL: `https://westeurope.oic.prod-aks.azure.com/${MOCK_TENANT}/${shortHash(physical)}/` } };
        case "azure-native:resources:ResourceGroup":
            // Azure names a resource group by its resourceGroupName.
            return { name: inputs.resourceGroupName ?? name };
        case "azure-native:managedidentity:UserAssignedIdentity":
            return { principalId: `p-${shortHash(name)}`, clientId: `c-${shortHash(name)}`, tenantId: MOCK_TENANT };
        case "azure-native:keyvault:Vault":
            return { properties: { ...(inputs.properties ?? {}), vaultUri: `https://${inputs.vaultName ?? name}.vault.azure.net/` } };
        case "azure-native:keyvault:Key":
            return { keyUriWithVersion: `https://${inputs.vaultName}.vault.azure.net/keys/${inputs.keyName ?? name}/${shortHash(name).toLowerCase()}` };
        case "aws:route53/zone:Zone":
            return { zoneId: `Z${shortHash(String(inputs.name))}`, nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"] };
        case "azure-native:dns:Zone":
            return { name: inputs.zoneName ?? name, nameServers: ["ns1-01.azure-dns.com.", "ns2-01.azure-dns.net.", "ns3-01.azure-dns.org.", "ns4-01.azure-dns.info."] };
        case "gcp:dns/managedZone:ManagedZone":
            return { nameServers: ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com.", "ns-cloud-a3.googledomains.com.", "ns-cloud-a4.googledomains.com."] };
        case "gcp:projects/iAMCustomRole:IAMCustomRole":
            return { name: `projects/${inputs.project}/roles/${inputs.roleId}` };
        case "gcp:container/cluster:Cluster":
            return { endpoint: "34.0.0.1", masterAuth: { ...(inputs.masterAuth ?? {}), clusterCaCertificate: FAKE_CA }, masterVersion: `${inputs.minMasterVersion}.5-gke.100` };
        case "gcp:serviceaccount/account:Account":
            return { email: `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`, name: `projects/${inputs.project}/serviceAccounts/${inputs.accountId}` };
        default:
            return {};
    }
}

function resourceId(type: string, name: string, inputs: State): string {
    if (type.startsWith("azure-native:")) {
        const rg = inputs.resourceGroupName ?? "rg";
        return `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}/providers/${type.split(":")[1]}/${name}`;
    }
    if (type === "pulumi:pulumi:StackReference") {
        return String(inputs.name);
    }
    return `${name}-id`;
}

export function invoke(token: string, inputs: State): State {
    switch (token) {
        case "azure-native:dns:getZone":
            return { id: `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.Network/dnszones/${inputs.zoneName}`, name: inputs.zoneName };
        case "azure-native:authorization:getClientConfig":
            return { tenantId: MOCK_TENANT, subscriptionId: MOCK_SUBSCRIPTION, clientId: "offline-client", objectId: "offline-object" };
        case "azure-native:containerservice:listManagedClusterUserCredentials": {
            const kubeconfig = JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: inputs.resourceName, cluster: { server: "https://aks.offline.invalid" } }] });
            return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
        }
        case "gcp:organizations/getProject:getProject":
            return { number: MOCK_PROJECT_NUMBER, projectId: inputs.projectId };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/offline`, userId: "offline" };
        default:
            return {};
    }
}

/** The ConfigMap in which an existing cluster says which environment it serves (see components/cluster/existing.ts). */
export const CLUSTER_MARKER_ID = "kube-system/delivery-cluster";
/**
 * Offline, no cluster answers: the environment an existing cluster's marker would say comes from
 * DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT (unset: the cluster has no marker).
 */
function clusterMarker(): State {
    const env = process.env.DELIVERY_OFFLINE_CLUSTER_ENVIRONMENT;
    return env ? { metadata: { name: "delivery-cluster", namespace: "kube-system" }, data: { environment: env } } : { metadata: { name: "delivery-cluster", namespace: "kube-system" } };
}

export function createMocks(upstream: UpstreamOutputs): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const inputs = args.inputs as State;
            if (args.type === "kubernetes:core/v1:ConfigMap" && args.id === CLUSTER_MARKER_ID) {
                return { id: CLUSTER_MARKER_ID, state: clusterMarker() };
            }
            return {
                id: resourceId(args.type, args.name, inputs),
                state: { ...inputs, ...computed(args.type, args.name, inputs, upstream) },
            };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return invoke(args.token, args.inputs as State);
        },
    };
}

import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as kms from "@pulumi/gcp/kms";
import * as logging from "@pulumi/gcp/logging";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../../config/model";
import { subnet } from "./cidr";
import { gcpLabels } from "./labels";
import { ClusterIdentity, KubernetesCluster, execKubeconfig } from "./types";

/** Control-plane components whose logs go to Cloud Logging. */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"];
/** The least a node needs: write logs and metrics, pull images. */
export const GKE_NODE_ROLES = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/artifactregistry.reader"];
/** /28 for the private control plane, outside the node and pod ranges. */
const MASTER_CIDR = "172.16.0.32/28";

export interface GkeClusterArgs {
    readonly cluster: ClusterConfig;
    readonly tags: Readonly<Record<string, string>>;
    /**
     * Retention of the project's _Default Cloud Logging bucket, where GKE's control-plane logs go
     * (delivery:observability.logs.retentionDays; the project is the environment's).
     */
    readonly logRetentionDays: number;
}

/** Regional when the nodes span several zones, zonal when they sit in one. */
export function gkeLocation(c: Pick<ClusterConfig, "region" | "zones">): string {
    return c.zones.length === 1 ? c.zones[0] : c.region;
}

/**
 * A VPC-native GKE cluster: private nodes behind Cloud NAT, workload identity, secrets
 * encrypted with a Cloud KMS key, no basic auth or client certificates, the REGULAR release
 * channel, and a separately managed node pool with auto-repair and auto-upgrade.
 */
export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: K8sProvider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:cluster:GkeCluster", name, {}, opts);
        const c = args.cluster;
        const project = c.project as string;
        const labels = gcpLabels(args.tags);
        const parent = { parent: this };
        const location = gkeLocation(c);
        const workloadPool = `${project}.svc.id.goog`;
        if (c.logging) {
            new logging.ProjectBucketConfig(`${name}-logs`, { project, location: "global", bucketId: "_Default", retentionDays: args.logRetentionDays }, parent);
        }

        const net = new compute.Network(`${name}-vpc`, { project, autoCreateSubnetworks: false }, parent);
        const nodes = new compute.Subnetwork(`${name}-nodes`, {
            project, region: c.region, network: net.id, ipCidrRange: subnet(c.networkCidr, 4, 0),
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: subnet(c.networkCidr, 1, 1) },
                { rangeName: "services", ipCidrRange: subnet(c.networkCidr, 4, 1) },
            ],
        }, parent);
        const router = new compute.Router(`${name}-router`, { project, region: c.region, network: net.id }, parent);
        new compute.RouterNat(`${name}-nat`, {
            project, region: c.region, router: router.name,
            natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        }, parent);

        let keyName: pulumi.Input<string> | undefined;
        const dependsOn: pulumi.Resource[] = [];
        if (c.kmsEncryption) {
            if (c.kmsKeyId !== undefined) {
                keyName = c.kmsKeyId;
            } else {
                const ring = new kms.KeyRing(`${name}-keyring`, { project, location: c.region, name: `${c.name}-keyring` }, parent);
                const key = new kms.CryptoKey(`${name}-secrets-key`, {
                    keyRing: ring.id, rotationPeriod: "7776000s", purpose: "ENCRYPT_DECRYPT", labels,
                }, { parent: this, protect: c.protect });
                const projectNumber = organizations.getProjectOutput({ projectId: project }, parent).number;
                dependsOn.push(new kms.CryptoKeyIAMMember(`${name}-secrets-key-gke`, {
                    cryptoKeyId: key.id,
                    role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                    member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
                }, parent));
                keyName = key.id;
            }
        }

        const cluster = new container.Cluster(`${name}-gke`, {
            project,
            name: c.name,
            location,
            nodeLocations: c.zones.length > 1 ? [...c.zones] : undefined,
            minMasterVersion: c.version,
            network: net.id,
            subnetwork: nodes.id,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            releaseChannel: { channel: c.autoUpgrade ? "REGULAR" : "UNSPECIFIED" },
            workloadIdentityConfig: { workloadPool },
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: c.privateEndpoint, masterIpv4CidrBlock: MASTER_CIDR },
            masterAuthorizedNetworksConfig: c.privateEndpoint || c.allowedCidrs.length > 0
                ? { cidrBlocks: c.allowedCidrs.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })) }
                : undefined,
            databaseEncryption: keyName !== undefined ? { state: "ENCRYPTED", keyName } : { state: "DECRYPTED" },
            loggingConfig: { enableComponents: c.logging ? GKE_LOG_COMPONENTS : ["SYSTEM_COMPONENTS"] },
            datapathProvider: "ADVANCED_DATAPATH",
            deletionProtection: c.protect,
            resourceLabels: labels,
        }, { parent: this, protect: c.protect, dependsOn });

        const nodeSa = new serviceaccount.Account(`${name}-nodes-sa`, {
            project, accountId: `${c.name}-nodes`.slice(0, 30), displayName: `Nodes of ${c.name}`,
        }, parent);
        GKE_NODE_ROLES.forEach((role, i) => new projects.IAMMember(`${name}-nodes-role-${i}`, {
            project, role, member: pulumi.interpolate`serviceAccount:${nodeSa.email}`,
        }, parent));

        new container.NodePool(`${name}-pool`, {
            project,
            cluster: cluster.name,
            location,
            version: cluster.masterVersion,
            initialNodeCount: c.zones.length > 1 ? Math.max(1, Math.ceil(c.nodes.min / c.zones.length)) : c.nodes.min,
            autoscaling: { totalMinNodeCount: c.nodes.min, totalMaxNodeCount: c.nodes.max, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: c.autoUpgrade },
            upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
            nodeConfig: {
                machineType: c.nodes.size,
                diskSizeGb: c.nodes.diskGiB,
                serviceAccount: nodeSa.email,
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                labels,
            },
        }, { parent: this, ignoreChanges: ["initialNodeCount"] });

        this.clusterName = cluster.name;
        this.kubeconfig = execKubeconfig({
            name: c.name,
            endpoint: pulumi.interpolate`https://${cluster.endpoint}`,
            caData: cluster.masterAuth.clusterCaCertificate.apply((ca) => ca ?? ""),
            command: "gke-gcloud-auth-plugin",
            commandArgs: [],
        });
        this.provider = new K8sProvider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);
        this.identity = {
            kind: "gcp",
            oidcIssuerUrl: pulumi.interpolate`https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${c.name}`,
            oidcProviderArn: pulumi.output(""),
            gcpProject: pulumi.output(project),
            workloadPool: pulumi.output(workloadPool),
            location: pulumi.output(location),
            resourceGroupName: pulumi.output(""),
            azureTenantId: pulumi.output(""),
            apiServerUrl: pulumi.interpolate`https://${cluster.endpoint}`,
        };
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}

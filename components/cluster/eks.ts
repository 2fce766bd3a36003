import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { ClusterConfig } from "../../config/model";

/** The IAM principal of an STS caller: `…:assumed-role/<role>/<session>` is the role `…:role/<role>`. */
export function principalArnOf(arn: string): string {
    const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}
import { subnet } from "./cidr";
import { ClusterIdentity, KubernetesCluster, execKubeconfig } from "./types";

/** Every control-plane log type EKS offers; audit and authenticator matter most. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
/** How long control-plane logs are kept. */
const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

export interface EksClusterArgs {
    readonly cluster: ClusterConfig;
    readonly tags: Readonly<Record<string, string>>;
    /** Retention of the control-plane log group (delivery:observability.logs.retentionDays). */
    readonly logRetentionDays: number;
}

function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/**
 * An EKS cluster in its own VPC: private node subnets behind a NAT gateway, a managed node group
 * that autoscales between the configured bounds, secrets encrypted with KMS, control-plane logs,
 * and an IAM OIDC provider for IAM roles for service accounts.
 */
export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    readonly clusterName: pulumi.Output<string>;
    readonly provider: K8sProvider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly identity: ClusterIdentity;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:cluster:EksCluster", name, {}, opts);
        const c = args.cluster;
        const tags: Record<string, string> = { ...args.tags, [`kubernetes.io/cluster/${c.name}`]: "owned" };
        const parent = { parent: this };

        // Network: one public and one private subnet per zone, one NAT gateway.
        const vpc = new ec2.Vpc(`${name}-vpc`, {
            cidrBlock: c.networkCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${c.name}-vpc` },
        }, parent);
        const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, parent);
        const publicRt = new ec2.RouteTable(`${name}-public-rt`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags,
        }, parent);
        const publicSubnets = c.zones.map((zone, i) => {
            const s = new ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id, availabilityZone: zone, cidrBlock: subnet(c.networkCidr, 4, i), mapPublicIpOnLaunch: false,
                tags: { ...tags, Name: `${c.name}-public-${zone}`, "kubernetes.io/role/elb": "1" },
            }, parent);
            new ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, parent);
            return s;
        });
        // One NAT gateway per zone (production default), or one shared by every zone.
        const natCount = c.natPerZone ? c.zones.length : 1;
        const privateRts = Array.from({ length: natCount }, (_, i) => {
            const suffix = i === 0 ? "" : `-${i}`;
            const natIp = new ec2.Eip(`${name}-nat-ip${suffix}`, { domain: "vpc", tags }, parent);
            const nat = new ec2.NatGateway(`${name}-nat${suffix}`, { allocationId: natIp.id, subnetId: publicSubnets[i].id, tags: { ...tags, zone: c.zones[i] } }, parent);
            return new ec2.RouteTable(`${name}-private-rt${suffix}`, {
                vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags,
            }, parent);
        });
        const privateSubnets = c.zones.map((zone, i) => {
            const s = new ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id, availabilityZone: zone, cidrBlock: subnet(c.networkCidr, 4, 8 + i),
                tags: { ...tags, Name: `${c.name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1" },
            }, parent);
            new ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: privateRts[c.natPerZone ? i : 0].id }, parent);
            return s;
        });

        // Identity of the control plane and the nodes.
        const clusterRole = new iam.Role(`${name}-cluster-role`, { assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com"), tags }, parent);
        const clusterPolicy = new iam.RolePolicyAttachment(`${name}-cluster-policy`, {
            role: clusterRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        }, parent);
        const nodeRole = new iam.Role(`${name}-node-role`, { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"), tags }, parent);
        const nodePolicies = NODE_POLICIES.map((policyArn, i) =>
            new iam.RolePolicyAttachment(`${name}-node-policy-${i}`, { role: nodeRole.name, policyArn }, parent));

        const keyArn = !c.kmsEncryption
            ? undefined
            : c.kmsKeyId !== undefined
                ? pulumi.output(c.kmsKeyId)
                : new kms.Key(`${name}-secrets-key`, {
                    description: `Envelope encryption of Kubernetes secrets in ${c.name}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    tags,
                }, parent).arn;

        // Created before the cluster so the retention applies from the first log line.
        const logGroup = c.logging
            ? new cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/eks/${c.name}/cluster`, retentionInDays: args.logRetentionDays, tags }, parent)
            : undefined;

        const cluster = new eks.Cluster(`${name}-eks`, {
            name: c.name,
            version: c.version,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: [...privateSubnets, ...publicSubnets].map((s) => s.id),
                endpointPrivateAccess: true,
                endpointPublicAccess: !c.privateEndpoint,
                publicAccessCidrs: c.privateEndpoint || c.allowedCidrs.length === 0 ? undefined : [...c.allowedCidrs],
            },
            encryptionConfig: keyArn ? { provider: { keyArn }, resources: ["secrets"] } : undefined,
            enabledClusterLogTypes: c.logging ? EKS_LOG_TYPES : [],
            // No standing cluster-admin for whoever created the cluster: access entries name who administers it.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            upgradePolicy: { supportType: c.autoUpgrade ? "STANDARD" : "EXTENDED" },
            deletionProtection: c.protect,
            tags,
        }, { parent: this, protect: c.protect, dependsOn: [clusterPolicy, ...(logGroup ? [logGroup] : [])] });

        // Network policies are enforced by the VPC CNI only when its add-on is configured to.
        const cni = new eks.Addon(`${name}-vpc-cni`, {
            clusterName: cluster.name,
            addonName: "vpc-cni",
            configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
        }, parent);

        // Cluster-admin through explicit access entries: the deployer (this program's identity) and the configured admins.
        const deployer = getCallerIdentityOutput({}, parent).arn.apply(principalArnOf);
        const admins = [deployer, ...c.adminArns.map((a) => pulumi.output(a))];
        const accessEntries = admins.map((principalArn, i) => {
            const entry = new eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
            new eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
                clusterName: cluster.name, principalArn, accessScope: { type: "cluster" },
                policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            }, { parent: this, dependsOn: [entry] });
            return entry;
        });

        const issuer = cluster.identities.apply((ids) => ids[0].oidcs[0].issuer);
        const oidc = new iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: issuer, clientIdLists: ["sts.amazonaws.com"], tags,
        }, parent);

        new eks.NodeGroup(`${name}-nodes`, {
            clusterName: cluster.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: privateSubnets.map((s) => s.id),
            instanceTypes: [c.nodes.size],
            diskSize: c.nodes.diskGiB,
            version: cluster.version,
            scalingConfig: { minSize: c.nodes.min, maxSize: c.nodes.max, desiredSize: c.nodes.min },
            updateConfig: { maxUnavailable: 1 },
            nodeRepairConfig: { enabled: c.autoUpgrade },
            tags,
        }, { parent: this, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] });

        this.clusterName = cluster.name;
        this.kubeconfig = execKubeconfig({
            name: c.name,
            endpoint: cluster.endpoint,
            caData: cluster.certificateAuthority.data,
            command: "aws",
            commandArgs: ["eks", "get-token", "--cluster-name", c.name, "--region", c.region, "--output", "json"],
        });
        this.provider = new K8sProvider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [...accessEntries, cni] });
        this.identity = {
            kind: "aws",
            oidcIssuerUrl: issuer,
            oidcProviderArn: oidc.arn,
            gcpProject: pulumi.output(""),
            workloadPool: pulumi.output(""),
            location: pulumi.output(c.region),
            resourceGroupName: pulumi.output(""),
            azureTenantId: pulumi.output(""),
            apiServerUrl: cluster.endpoint,
        };
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}

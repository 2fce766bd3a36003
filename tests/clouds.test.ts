import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cfg, ofType, one, rejects, runChain, runStack, appChart, NO_DNS } from "./harness";

const AZURE = {
    ...cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" }, resourceGroup: null }),
    ...cfg("secrets", { stores: [{ provider: "azure" }] }),
};
/** A GKE stack's budget belongs to a billing account. */
const GCP_BILLING = cfg("budget", { billingAccount: "012345-6789AB-CDEF01" });
const GCP = {
    ...cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123", nodes: { size: "e2-standard-4" } }),
    ...cfg("secrets", { stores: [{ provider: "gcp" }] }),
    ...GCP_BILLING,
};
/** Secrets off, for cluster modes tested on their own. */
const NO_SECRETS = cfg("secrets", null);

describe("clusters per cloud (prod settings, cloud switched by override)", () => {
    describe("AWS (EKS)", () => {
        it("builds the VPC, node group from config, OIDC provider from the cluster's issuer", async () => {
            const ev = await runStack("prod");
            const eks = one(ev, "aws:eks/cluster:Cluster");
            assert.equal(eks.inputs.version, "1.31");
            assert.equal(eks.inputs.accessConfig.authenticationMode, "API");
            const ng = one(ev, "aws:eks/nodeGroup:NodeGroup");
            assert.deepEqual([ng.inputs.instanceTypes, ng.inputs.scalingConfig.minSize, ng.inputs.scalingConfig.maxSize], [["m6i.xlarge"], 3, 9]);
            assert.equal(ng.inputs.nodeRepairConfig.enabled, true);
            assert.equal(ofType(ev, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private")).length, 3);
            const oidc = one(ev, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            assert.match(oidc.inputs.url, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\//);
            assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
        });

        it("a public endpoint carries the configured allow-list", async () => {
            const ev = await runStack("dev");
            const eks = one(ev, "aws:eks/cluster:Cluster");
            assert.equal(eks.inputs.vpcConfig.endpointPublicAccess, true);
            assert.deepEqual(eks.inputs.vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
            assert.equal(eks.protect, false);
        });

        it("uses an existing KMS key instead of creating one", async () => {
            const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
            const ev = await runStack("prod", cfg("cluster", { encryption: { kms: true, keyId: keyArn } }));
            assert.equal(ofType(ev, "aws:kms/key:Key").length, 0);
            assert.equal(one(ev, "aws:eks/cluster:Cluster").inputs.encryptionConfig.provider.keyArn, keyArn);
        });
    });

    describe("Azure (AKS)", () => {
        it("hardens the cluster: Entra ID only, workload identity, KMS, private API, patch upgrades, protected", async () => {
            const ev = await runStack("prod", AZURE);
            const aks = one(ev, "azure-native:containerservice:ManagedCluster");
            const i = aks.inputs;
            assert.equal(aks.protect, true);
            assert.equal(i.disableLocalAccounts, true);
            assert.equal(i.aadProfile.managed, true);
            assert.equal(i.oidcIssuerProfile.enabled, true);
            assert.equal(i.securityProfile.workloadIdentity.enabled, true);
            assert.equal(i.securityProfile.azureKeyVaultKms.enabled, true);
            assert.match(i.securityProfile.azureKeyVaultKms.keyId, /\.vault\.azure\.net\/keys\//);
            assert.equal(i.apiServerAccessProfile.enablePrivateCluster, true);
            assert.deepEqual(i.autoUpgradeProfile, { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
            const pool = i.agentPoolProfiles[0];
            assert.deepEqual([pool.enableAutoScaling, pool.minCount, pool.maxCount, pool.vmSize], [true, 3, 9, "Standard_D4s_v5"]);
            assert.deepEqual(pool.availabilityZones, ["1", "2", "3"]);
            const diag = one(ev, "azure-native:monitor:DiagnosticSetting");
            assert.ok(diag.inputs.logs.some((l: { category: string }) => l.category === "kube-audit-admin"));
            const kmsAccess = one(ev, "azure-native:authorization:RoleAssignment", "-kms-access");
            assert.match(kmsAccess.inputs.roleDefinitionId, /14b46e9e-c2b7-41b4-b07b-48a6ebf60603$/);
        });

        it("takes its kubeconfig from the cluster's user credentials, as a secret", async () => {
            const ev = await runStack("prod", AZURE);
            assert.ok(ev.secretOutputNames.includes("cluster"));
            const cluster = ev.outputs.cluster as { kubeconfig: string; identity: { kind: string; oidcIssuerUrl: string } };
            assert.match(cluster.kubeconfig, /aks\.offline\.invalid/);
            assert.equal(cluster.identity.kind, "azure");
            assert.match(cluster.identity.oidcIssuerUrl, /oic\.prod-aks\.azure\.com/);
        });
    });

    describe("GCP (GKE)", () => {
        it("hardens the cluster: workload identity, KMS, no client certificate, private nodes, auto-upgrade", async () => {
            const ev = await runStack("prod", GCP);
            const gke = one(ev, "gcp:container/cluster:Cluster");
            const i = gke.inputs;
            assert.equal(gke.protect, true);
            assert.equal(i.location, "europe-west1", "three zones make a regional cluster");
            assert.deepEqual(i.nodeLocations, ["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
            assert.equal(i.workloadIdentityConfig.workloadPool, "acme-prod-123.svc.id.goog");
            assert.equal(i.databaseEncryption.state, "ENCRYPTED");
            assert.equal(i.masterAuth.clientCertificateConfig.issueClientCertificate, false);
            assert.equal(i.privateClusterConfig.enablePrivateNodes, true);
            assert.equal(i.privateClusterConfig.enablePrivateEndpoint, true);
            assert.ok(i.loggingConfig.enableComponents.includes("APISERVER"));
            const pool = one(ev, "gcp:container/nodePool:NodePool");
            assert.deepEqual(pool.inputs.management, { autoRepair: true, autoUpgrade: true });
            assert.deepEqual([pool.inputs.autoscaling.totalMinNodeCount, pool.inputs.autoscaling.totalMaxNodeCount], [3, 9]);
            assert.equal(pool.inputs.nodeConfig.workloadMetadataConfig.mode, "GKE_METADATA");
            const keyAccess = one(ev, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
            assert.equal(keyAccess.inputs.member, "serviceAccount:service-987654321098@container-engine-robot.iam.gserviceaccount.com");
        });

        it("a single zone makes a zonal cluster", async () => {
            const ev = await runStack("dev", cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b"], project: "acme-dev-123", endpoint: { allowedCidrs: ["203.0.113.0/24"] } }), NO_SECRETS, GCP_BILLING);
            const i = one(ev, "gcp:container/cluster:Cluster").inputs;
            assert.equal(i.location, "europe-west1-b");
            assert.deepEqual(i.masterAuthorizedNetworksConfig.cidrBlocks, [{ cidrBlock: "203.0.113.0/24", displayName: "203.0.113.0/24" }]);
        });
    });

    describe("an existing cluster", () => {
        it("targets the cluster through the secret kubeconfig and context, creating no cloud resources", async () => {
            const ev = await runStack("staging",
                NO_DNS, cfg("cluster", { provider: "existing", context: "platform-staging", region: null, zones: null }), NO_SECRETS,
                cfg("kubeconfig", { secure: "apiVersion: v1\nkind: Config\n" }));
            const provider = one(ev, "pulumi:providers:kubernetes");
            assert.equal(provider.inputs.context, "platform-staging");
            assert.equal(provider.display.kubeconfig, "[secret]", "the kubeconfig stays a secret");
            assert.equal(ev.resources.filter((r) => /^(aws|azure-native|gcp):/.test(r.type)).length, 0);
            assert.equal(appChart(ev).provider.split("::")[3], "delivery-staging-k8s");
        });

        it("reads a kubeconfig file given by path, and fails clearly when it is missing", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
            const file = path.join(dir, "config");
            fs.writeFileSync(file, "apiVersion: v1\nkind: Config\n");
            const ev = await runStack("dev", NO_DNS, cfg("cluster", { provider: "existing", kubeconfigPath: file }), NO_SECRETS);
            assert.equal(one(ev, "pulumi:providers:kubernetes").inputs.kubeconfig, "apiVersion: v1\nkind: Config\n");
            await rejects(runStack("dev", NO_DNS, cfg("cluster", { provider: "existing", kubeconfigPath: path.join(dir, "missing") }), NO_SECRETS),
                "cluster.kubeconfigPath", "does not exist", "stack dev");
        });
    });

    describe("a cluster shared with another stack", () => {
        it("staging reuses dev's cluster by namespace through one stack reference", async () => {
            const ev = await runStack("staging", NO_DNS, cfg("cluster", { provider: "stack", stack: "organization/delivery/dev" }));
            const refs = ofType(ev, "pulumi:pulumi:StackReference");
            // Besides its own previous outputs (the promotion history), staging reads dev once.
            assert.deepEqual(refs.map((r) => r.inputs.name).filter((n) => n !== "organization/delivery/staging"), ["organization/delivery/dev"], "cluster and promotion share the reference");
            assert.equal(ev.resources.filter((r) => /^(aws:(eks|ec2)|azure-native:containerservice|gcp:container)/.test(r.type)).length, 0, "no cluster of its own");
            const provider = one(ev, "pulumi:providers:kubernetes");
            const trust = JSON.parse(one(ev, "aws:iam/role:Role", "-aws-role").inputs.assumeRolePolicy);
            assert.match(trust.Statement[0].Principal.Federated, /oidc-provider\/oidc\.eks\.eu-west-1\.amazonaws\.com/, "staging's secret reader trusts dev's cluster OIDC provider");
            assert.match(provider.inputs.kubeconfig, /eks get-token|"delivery-dev"/);
            assert.equal(one(ev, "kubernetes:core/v1:Namespace", "storefront-ns").inputs.metadata.name, "storefront-staging");
            assert.equal(ev.outputs.cluster, undefined, "a borrowed cluster is not re-exported");
        });

        it("fails clearly when the owning stack publishes no cluster", async () => {
            const devWithoutCluster = { environment: "development", release: { version: "1.8.3", imageTag: "1.8.3", imageDigest: "", chart: "app", chartVersion: "0.5.0" } };
            await rejects(runChain("staging", [NO_DNS, cfg("cluster", { provider: "stack", stack: "organization/delivery/dev" })], { "organization/delivery/dev": devWithoutCluster }),
                'stack "staging" reuses the cluster of organization/delivery/dev (delivery:cluster.stack), but that stack exports no "cluster" output');
        });
    });
});

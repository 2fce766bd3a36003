import * as path from "path";
import { directoryDigest } from "../components/promotion";
import { strict as assert } from "assert";
import { Evaluation, ofType, one, runStack, appChart } from "./harness";

const CHART = "kubernetes:helm.sh/v4:Chart";
const EKS = "aws:eks/cluster:Cluster";

function values(ev: Evaluation) {
    return appChart(ev).inputs.values;
}

/** The bundled chart as the release record names it. */
const BUNDLED_CHART = { chart: "app", chartVersion: "0.5.0", chartSource: "charts/app", chartDigest: directoryDigest(path.join(__dirname, "..", "charts", "app")) };

describe("shipped stacks", () => {
    let dev: Evaluation;
    let staging: Evaluation;
    let prod: Evaluation;
    before(async () => {
        dev = await runStack("dev");
        staging = await runStack("staging");
        prod = await runStack("prod");
    });

    describe("dev", () => {
        it("runs one replica with low requests, no autoscaling and no PDB", () => {
            const v = values(dev);
            assert.equal(v.replicaCount, 1);
            assert.equal(v.autoscaling.enabled, false);
            assert.equal(v.podDisruptionBudget.enabled, false);
            assert.deepEqual(v.resources.requests, { cpu: "50m", memory: "64Mi" });
            assert.equal(v.logLevel, "debug");
        });

        it("runs on a small node group of 1–2 nodes", () => {
            const ng = one(dev, "aws:eks/nodeGroup:NodeGroup");
            assert.deepEqual(ng.inputs.scalingConfig, { minSize: 1, maxSize: 2, desiredSize: 1 });
        });

        it("takes its release from config and records that, with who and when", () => {
            const { promotedAt, promotedBy, commit, verification, configHash, ...rest } = dev.outputs.promotion as Record<string, any>;
            assert.match(configHash, /^sha256:[0-9a-f]{64}$/);
            assert.notEqual(configHash, (staging.outputs.promotion as { configHash: string }).configHash, "dev and staging render different values");
            assert.deepEqual(rest, {
                environment: "development", source: "config", upstreamStack: "", pinned: false, pinReason: "", emergency: false,
                release: { version: "1.8.3", imageTag: "1.8.3", imageDigest: "", ...BUNDLED_CHART }, history: [],
            });
            assert.ok(!Number.isNaN(Date.parse(promotedAt)), promotedAt);
            assert.equal(typeof promotedBy, "string");
            assert.equal(typeof commit, "string");
            assert.deepEqual([verification.status, verification.at], ["passed", promotedAt]);
            // The only stack it reads is itself: its previous record, for the history.
            assert.deepEqual(ofType(dev, "pulumi:pulumi:StackReference").map((r) => r.inputs.name), ["organization/delivery/dev"]);
        });

        it("exports its cluster (kubeconfig as a secret) for stacks that share it", () => {
            assert.ok(dev.secretOutputNames.includes("cluster"));
            const cluster = dev.outputs.cluster as { name: string; identity: { kind: string; oidcIssuerUrl: string } };
            assert.equal(cluster.name, "delivery-dev");
            assert.equal(cluster.identity.kind, "aws");
            assert.match(cluster.identity.oidcIssuerUrl, /^https:\/\/oidc\.eks\./);
        });
    });

    describe("staging", () => {
        it("runs two replicas with autoscaling and a PDB", () => {
            const v = values(staging);
            assert.equal(v.replicaCount, 2);
            assert.deepEqual([v.autoscaling.enabled, v.autoscaling.minReplicas, v.autoscaling.maxReplicas], [true, 2, 4]);
            assert.deepEqual(v.podDisruptionBudget, { enabled: true, minAvailable: 1 });
        });

        it("reads dev's release through a stack reference", () => {
            const refs = ofType(staging, "pulumi:pulumi:StackReference").map((r) => r.inputs.name).sort();
            assert.deepEqual(refs, ["organization/delivery/dev", "organization/delivery/staging"]);
            assert.deepEqual(staging.outputs.release, dev.outputs.release);
            assert.equal(values(staging).image.tag, "1.8.3");
            const rec = staging.outputs.promotion as { source: string; upstreamStack: string };
            assert.deepEqual([rec.source, rec.upstreamStack], ["upstream", "organization/delivery/dev"]);
        });
    });

    describe("prod", () => {
        it("is highly available: ≥3 replicas spread across zones, autoscaling, PDB", () => {
            const v = values(prod);
            assert.ok(v.replicaCount >= 3);
            assert.equal(v.topologySpread.enabled, true);
            assert.deepEqual([v.autoscaling.enabled, v.autoscaling.minReplicas, v.autoscaling.maxReplicas], [true, 3, 12]);
            assert.deepEqual(v.podDisruptionBudget, { enabled: true, minAvailable: 2 });
            const zones = ofType(prod, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone);
            assert.equal(new Set(zones).size, 3);
        });

        it("runs a private, encrypted, logged, protected cluster", () => {
            const eks = one(prod, EKS);
            assert.equal(eks.protect, true);
            assert.equal(eks.inputs.deletionProtection, true);
            assert.equal(eks.inputs.vpcConfig.endpointPublicAccess, false);
            assert.equal(eks.inputs.vpcConfig.endpointPrivateAccess, true);
            assert.deepEqual(eks.inputs.encryptionConfig.resources, ["secrets"]);
            assert.match(eks.inputs.encryptionConfig.provider.keyArn, /^arn:aws:kms:/);
            assert.ok(eks.inputs.enabledClusterLogTypes.includes("audit"));
            assert.equal(one(prod, "aws:kms/key:Key").inputs.enableKeyRotation, true);
        });

        it("reads staging's release, which is dev's", () => {
            assert.deepEqual(ofType(prod, "pulumi:pulumi:StackReference").map((r) => r.inputs.name).sort(), ["organization/delivery/prod", "organization/delivery/staging"]);
            assert.deepEqual(prod.outputs.release, staging.outputs.release);
        });

        it("records the promotion in the cluster as a ConfigMap", () => {
            const cm = one(prod, "kubernetes:core/v1:ConfigMap", "-record");
            const { promotedAt, promotedBy, commit, verification, history, configHash, rollout, ...data } = cm.inputs.data;
            // Blue-green: the first release goes to blue.
            assert.deepEqual([JSON.parse(rollout).active, Object.keys(JSON.parse(rollout).colours)], ["blue", ["blue"]]);
            assert.equal(configHash, (prod.outputs.promotion as { configHash: string }).configHash);
            assert.equal(promotedAt, (prod.outputs.promotion as { promotedAt: string }).promotedAt);
            assert.deepEqual([typeof promotedBy, typeof commit, JSON.parse(verification).status, history], ["string", "string", "passed", "[]"]);
            assert.deepEqual(data, {
                environment: "production", version: "1.8.3", image: "ghcr.io/acme/storefront:1.8.3", chart: "app-0.5.0",
                chartSource: BUNDLED_CHART.chartSource, chartDigest: BUNDLED_CHART.chartDigest, source: "upstream", upstreamStack: "organization/delivery/staging", pinned: "false", pinReason: "", emergency: "false",
                override: "", stackReferences: "organization/delivery/prod,organization/delivery/staging",
                valueHints: "{}", // the bundled chart takes the typed keys; nothing comes from delivery:values
                dnsZone: "acme.example", tlsIssuer: "letsencrypt-production",
            });
        });
    });

    describe("every stack", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            it(`${stack}: namespace with PSA labels, quota, limits, default-deny and the app's allows`, async () => {
                const ev = { dev, staging, prod }[stack]!;
                const ns = one(ev, "kubernetes:core/v1:Namespace", "storefront-ns");
                const labels = ns.inputs.metadata.labels;
                assert.equal(labels["delivery.example.com/environment"], ev.outputs.environment);
                assert.equal(labels["pod-security.kubernetes.io/enforce"], stack === "dev" ? "baseline" : "restricted");
                assert.equal(ofType(ev, "kubernetes:core/v1:ResourceQuota").length, 1);
                assert.equal(ofType(ev, "kubernetes:core/v1:LimitRange").length, 1);
                const policies = ofType(ev, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
                const deny = policies.find((p) => p.inputs.metadata.name === "default-deny")!;
                assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
                assert.deepEqual(policies.map((p) => p.inputs.metadata.name).sort(), ["allow-dns", "allow-ingress-controller", "allow-same-namespace", "default-deny"]);
            });

            it(`${stack}: chart rendered client-side, waited on, on the cluster's provider, in the app namespace`, () => {
                const ev = { dev, staging, prod }[stack]!;
                const rel = appChart(ev);
                assert.equal(rel.inputs.chart, "./charts/app");
                assert.equal(rel.inputs.version, undefined, "a chart directory's version is its Chart.yaml's");
                assert.equal(rel.inputs.skipAwait, false);
                assert.equal(ev.outputs.release && (ev.outputs.release as { chartVersion: string }).chartVersion, "0.5.0");
                assert.equal(rel.inputs.namespace, `storefront-${stack}`);
                assert.notEqual(rel.inputs.values.image.tag, "latest");
                assert.match(rel.provider, /pulumi:providers:kubernetes::delivery-\w+-k8s::/);
                assert.equal(rel.inputs.values.ingress.host, { dev: "storefront.dev.acme.example", staging: "storefront.staging.acme.example", prod: "storefront.acme.example" }[stack]);
            });
        }
    });
});

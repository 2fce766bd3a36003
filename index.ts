/**
 * The delivery program: one stack per environment, every difference in Pulumi.<stack>.yaml.
 * config → cluster → namespace → secret stores → release (promoted dev → staging → prod) → exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { CLUSTER_OUTPUT, createCluster, exportCluster } from "./components/cluster";
import { KubernetesCluster } from "./components/cluster/types";

/**
 * Resolves once the engine has registered the cluster's component and the registrations waiting
 * on it (its Kubernetes provider's) have gone out. The engine launches and configures the provider
 * plugin (a few hundred milliseconds) while the program loads the rest of its modules, instead of
 * after: every Kubernetes object waits for that provider.
 */
function clusterRegistered(cluster: KubernetesCluster): Promise<void> {
    return new Promise((resolve) => {
        cluster.urn.apply((urn) => {
            setImmediate(resolve);
            return urn;
        });
    });
}

export = async () => {
    const cfg = loadConfig();
    const labels = {
        "app.kubernetes.io/part-of": cfg.app.name,
        "delivery.example.com/environment": cfg.environment,
        "delivery.example.com/stack": cfg.stack,
    };
    const tags = { environment: cfg.environment, stack: cfg.stack, "managed-by": "pulumi" };

    // One StackReference per upstream stack, shared by the cluster and the promotion.
    const refs = new Map<string, pulumi.StackReference>();
    const stackRef = (name: string) => {
        if (!refs.has(name)) {
            refs.set(name, new pulumi.StackReference(`upstream-${name.split("/").pop()}`, { name }));
        }
        return refs.get(name)!;
    };

    const cluster = createCluster(cfg, stackRef, tags);
    await clusterRegistered(cluster);
    // The rest of the program's modules, loaded while the engine starts the cluster's provider.
    const { estimateCost } = require("./config/cost") as typeof import("./config/cost");
    const { AppNamespace, AppRelease } = require("./components/app") as typeof import("./components/app");
    const { ENVIRONMENT_OUTPUT, RELEASE_OUTPUT, now, resolveRelease } = require("./components/promotion") as typeof import("./components/promotion");
    const { planBlueGreen } = require("./components/app/bluegreen") as typeof import("./components/app/bluegreen");
    const { APP_LABEL } = require("./policy/lib/colours") as typeof import("./policy/lib/colours");
    const { SecretStores } = require("./components/secrets") as typeof import("./components/secrets");
    const { serviceMonitor } = require("./components/app/monitoring") as typeof import("./components/app/monitoring");
    const k8s = { provider: cluster.provider };
    // A cluster this stack creates is budgeted here; an existing or borrowed one by its owner.
    const cloud = cfg.cluster.provider === "aws" || cfg.cluster.provider === "azure" || cfg.cluster.provider === "gcp";
    if (cfg.budget !== undefined && cloud) {
        const { StackBudget } = require("./components/budget") as typeof import("./components/budget");
        new StackBudget(`${cfg.app.name}-budget`, { budget: cfg.budget, cluster: cfg.cluster, identity: cluster.identity, stack: cfg.stack, tags });
    }

    const namespace = new AppNamespace(cfg.app.name, {
        namespace: cfg.namespace,
        environment: cfg.environment,
        app: cfg.app.name,
        appPort: cfg.app.port,
        // With colours, each colour's Helm release names its pods after itself; the program's label is the one they share.
        ...(cfg.rollout.strategy === "blueGreen" ? { appSelector: { [APP_LABEL]: cfg.app.name } } : {}),
        labels,
    }, k8s);

    const secrets = new SecretStores(`${cfg.app.name}-secrets`, {
        secrets: cfg.secrets,
        environment: cfg.environment,
        app: cfg.app.name,
        namespace: cfg.namespace.name,
        identity: cluster.identity,
        clusterName: cluster.clusterName,
        k8sProvider: cluster.provider,
        labels,
        tags,
        vaultToken: cfg.vaultToken,
        ibmApiKey: cfg.ibmApiKey,
    }, { dependsOn: [namespace] });

    // The environment's zone and certificates (config refuses them on existing and borrowed clusters).
    // Only stacks with a zone load the DNS component (cloud DNS modules and helm.v3 behind it).
    const DnsTls = cfg.dns !== undefined && cloud ? (require("./components/dns") as typeof import("./components/dns")).DnsTls : undefined;
    const dns = DnsTls !== undefined && cfg.dns !== undefined ? new DnsTls(`${cfg.app.name}-dns`, {
        dns: cfg.dns,
        tls: cfg.tls,
        cloud: cfg.cluster.provider as "aws" | "azure" | "gcp",
        environment: cfg.environment,
        app: cfg.app.name,
        stack: cfg.stack,
        identity: cluster.identity,
        region: cfg.cluster.region,
        project: cfg.cluster.project,
        k8sProvider: cluster.provider,
        labels,
        tags,
        // Records and delegations hang on the zone: it goes when the cluster may.
        protect: cfg.cluster.protect,
    }) : undefined;

    const resolved = resolveRelease(cfg, stackRef);
    const { record } = resolved;
    // Blue-green: which colour serves and which colours run decide what is rendered, so they are settled first.
    const blueGreen = cfg.rollout.strategy === "blueGreen" ? await planBlueGreen(resolved, cfg.rollout, now(), cfg.stack) : undefined;
    // What this stack serves (and a downstream stack takes): with colours, the active colour's release.
    const release = blueGreen ? pulumi.output(blueGreen.state.colours[blueGreen.state.active]!) : resolved.release;
    const app = new AppRelease(cfg.app.name, {
        app: cfg.app,
        environment: cfg.environment,
        namespace: namespace.name,
        chart: cfg.chart,
        values: cfg.values,
        observability: cfg.observability,
        helm: cfg.helm,
        release,
        record,
        envFromSecrets: secrets.secretNames,
        labels,
        stackReferences: [...refs.keys()],
        smoke: cfg.verification.smoke,
        blueGreen,
        ...(dns ? { dns: { zone: dns.zone, issuer: dns.issuer } } : {}),
    }, { ...k8s, dependsOn: [namespace, secrets, ...(dns?.clusterIssuer ? [dns.clusterIssuer] : [])] });

    serviceMonitor(cfg.app.name, namespace.name, cfg.observability.metrics, labels, { ...k8s, dependsOn: [app] });

    // What this stack advertises waits for the rollout: a release that failed never reaches its outputs.
    const whenReady = <T>(o: pulumi.Output<T>) => pulumi.all([o, app.ready]).apply(([v]) => v);
    return {
        [ENVIRONMENT_OUTPUT]: cfg.environment,
        [RELEASE_OUTPUT]: whenReady(release),
        promotion: whenReady(app.record),
        image: whenReady(app.image),
        namespace: namespace.name,
        secretStores: secrets.storeNames,
        // The monthly estimate from config/prices.json and the budget it is held to (`npm run plan` prints both).
        cost: { ...estimateCost(cfg), budgetUsd: cfg.budget?.monthlyUsd ?? null },
        // The zone's name servers, for the delegation in its parent zone.
        ...(dns ? { dns: { zone: dns.zone, zoneId: dns.zoneRef, nameServers: dns.nameServers, issuer: dns.issuer ?? null } } : {}),
        // A borrowed cluster stays published by the stack that owns it.
        ...(cfg.cluster.provider === "stack" ? {} : { [CLUSTER_OUTPUT]: exportCluster(cluster) }),
    };
};

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { Environment } from "../../config/environment";
import { AppConfig, ChartSource, HelmConfig } from "../../config/model";
import { PromotionRecord, ReleaseRecord, imageRef } from "../promotion";

export interface AppReleaseArgs {
    readonly app: AppConfig;
    readonly environment: Environment;
    readonly namespace: pulumi.Input<string>;
    readonly chart: ChartSource;
    readonly helm: HelmConfig;
    readonly release: pulumi.Output<ReleaseRecord>;
    readonly record: pulumi.Output<PromotionRecord>;
    /** Secrets (by name) the app loads with envFrom, e.g. written by External Secrets. */
    readonly envFromSecrets?: pulumi.Input<string[]>;
    /** Annotations for the app's service account (workload identity). */
    readonly serviceAccountAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly labels: Readonly<Record<string, string>>;
    /**
     * Every stack this stack reads (its StackReferences), recorded next to the release: the
     * engine never shows read resources to policies, so the record is how the policy pack sees them.
     */
    readonly stackReferences?: readonly string[];
}

/** Releases kept by Helm for `helm rollback`. */
export const HELM_MAX_HISTORY = 10;

/** The chart's values for one stack: every per-environment difference comes from config. */
export function chartValues(args: Pick<AppReleaseArgs, "app" | "environment">, release: ReleaseRecord) {
    const a = args.app;
    return {
        environment: args.environment,
        replicaCount: a.replicas,
        image: { repository: a.image, tag: release.imageTag, digest: release.imageDigest || undefined, pullPolicy: "IfNotPresent" },
        containerPort: a.port,
        logLevel: a.logLevel,
        features: { ...a.features },
        env: { ...a.env },
        resources: {
            requests: { cpu: a.resources.requests.cpu, memory: a.resources.requests.memory },
            limits: { cpu: a.resources.limits.cpu, memory: a.resources.limits.memory },
        },
        autoscaling: {
            enabled: a.autoscaling.enabled,
            minReplicas: a.autoscaling.min,
            maxReplicas: a.autoscaling.max,
            targetCPUUtilizationPercentage: a.autoscaling.cpuTarget,
        },
        podDisruptionBudget: { enabled: a.pdb.enabled, minAvailable: a.pdb.minAvailable },
        topologySpread: { enabled: a.spreadAcrossZones },
        ingress: { enabled: a.ingress.enabled, className: a.ingress.className, host: a.ingress.host, tls: a.ingress.tls },
    };
}

/**
 * The application's Helm release (atomic: a failed upgrade rolls back) and a ConfigMap that
 * records in the cluster which release runs and where it came from.
 */
export class AppRelease extends pulumi.ComponentResource {
    readonly helmRelease: k8s.helm.v3.Release;
    readonly image: pulumi.Output<string>;

    constructor(name: string, args: AppReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:app:AppRelease", name, {}, opts);
        const a = args.app;
        const chart = args.chart;
        this.image = args.release.apply((r) => imageRef(a.image, r));
        const values = pulumi.all([args.release, args.envFromSecrets ?? [], args.serviceAccountAnnotations ?? {}]).apply(([r, secrets, annotations]) => ({
            ...chartValues(args, r),
            envFromSecrets: secrets,
            serviceAccount: { annotations, labels: { ...args.labels } },
        }));

        this.helmRelease = new k8s.helm.v3.Release(`${name}-helm`, {
            name: a.name,
            namespace: args.namespace,
            // Relative, so the state does not depend on where the program was checked out.
            chart: chart.kind === "path" ? `./${path.posix.normalize(chart.path)}` : chart.name,
            version: args.release.chartVersion,
            repositoryOpts: chart.kind === "repository" ? { repo: chart.repository } : undefined,
            values,
            atomic: args.helm.atomic,
            cleanupOnFail: true,
            skipAwait: !args.helm.wait,
            timeout: args.helm.timeoutSeconds,
            maxHistory: HELM_MAX_HISTORY,
            createNamespace: false,
            description: args.record.apply((r) => `${r.release.version} from ${r.source}${r.upstreamStack ? ` (${r.upstreamStack})` : ""}`),
        }, { parent: this });

        new k8s.core.v1.ConfigMap(`${name}-record`, {
            metadata: {
                name: `${a.name}-release-record`,
                namespace: args.namespace,
                labels: { ...args.labels, "delivery.example.com/record": "promotion" },
            },
            data: args.record.apply((r) => ({
                environment: r.environment,
                version: r.release.version,
                image: imageRef(a.image, r.release),
                chart: `${r.release.chart}-${r.release.chartVersion}`,
                source: r.source,
                upstreamStack: r.upstreamStack,
                pinned: String(r.pinned),
                pinReason: r.pinReason,
                stackReferences: [...(args.stackReferences ?? [])].sort().join(","),
            })),
        }, { parent: this });

        this.registerOutputs({ image: this.image });
    }
}

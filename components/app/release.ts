import * as helmv4 from "@pulumi/kubernetes/helm/v4";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as path from "path";
import { Environment } from "../../config/environment";
import { AppConfig, ChartConfig, Colour, HelmConfig, ObservabilityConfig, SmokeConfig, ValuesConfig } from "../../config/model";
import { composeLayers, readChartDir, stackLayers } from "../../config/values";
import { CLUSTER_ISSUER_ANNOTATION } from "../../config/dns";
import { PromotionRecord, ReleaseRecord, imageRef } from "../promotion";
import { smokeDescription, smokeJob, smokeServiceAccount } from "./smoke";
import {
    BlueGreenState, ROUTE_PORT, activeServiceName, candidateColour, colourObject, previewServiceName, renderedColours, routeIngress, routeService,
} from "./bluegreen";
import { INGRESS } from "../../policy/lib/types";


export interface AppReleaseArgs {
    readonly app: AppConfig;
    readonly environment: Environment;
    readonly namespace: pulumi.Input<string>;
    readonly chart: ChartConfig;
    readonly values: ValuesConfig;
    /** Logging, metrics and tracing settings, given to the chart like the typed keys. */
    readonly observability?: ObservabilityConfig;
    readonly helm: HelmConfig;
    readonly release: pulumi.Output<ReleaseRecord>;
    readonly record: pulumi.Output<PromotionRecord>;
    /** Secrets (by name) the app loads with envFrom, e.g. written by External Secrets (bundled chart's names). */
    readonly envFromSecrets?: pulumi.Input<string[]>;
    /** Annotations for the app's service account (workload identity; bundled chart's names). */
    readonly serviceAccountAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly labels: Readonly<Record<string, string>>;
    /**
     * Every stack this stack reads (its StackReferences), recorded next to the release: the
     * engine never shows read resources to policies, so the record is how the policy pack sees them.
     */
    readonly stackReferences?: readonly string[];
    /** The smoke check run in the cluster after the rollout (delivery:verification.smoke). */
    readonly smoke?: SmokeConfig;
    /** Blue-green: this update's state (see ./bluegreen) and the release it deploys. */
    readonly blueGreen?: { readonly state: BlueGreenState; readonly release: ReleaseRecord };
    /**
     * The environment's zone and the ClusterIssuer the Ingress asks for its certificate
     * (delivery:dns, delivery:tls): recorded beside the release, and the issuer annotated on
     * every Ingress the chart renders.
     */
    readonly dns?: { readonly zone: string; readonly issuer?: string };
}

/** The chart argument of `helm.v4.Chart` (a relative path, a repository chart name, an oci:// reference). */
export function chartReference(chart: ChartConfig): { chart: string; repositoryOpts?: { repo: string; caFile?: pulumi.asset.Asset } } {
    switch (chart.kind) {
        case "path":
            // Relative, so the state does not depend on where the program was checked out.
            return { chart: `./${path.posix.normalize(chart.path)}` };
        case "repository":
            // The provider takes the CA as an asset (the file's content travels with the inputs).
            return { chart: chart.name, repositoryOpts: { repo: chart.repository, ...(chart.caFile ? { caFile: new pulumi.asset.FileAsset(chart.caFile) } : {}) } };
        case "oci":
            return { chart: `${chart.repository}/${chart.name}` };
    }
}

/** The values the chart receives for one stack and release (see config/values.ts for the layers). */
export function releaseChartValues(
    args: Pick<AppReleaseArgs, "app" | "environment" | "chart" | "values" | "observability">, release: Pick<ReleaseRecord, "imageTag" | "imageDigest">,
    programValues: Record<string, unknown> = {},
): Record<string, unknown> {
    const extra = args.chart.appValues ? { origin: "the program", values: programValues } : undefined;
    return composeLayers(stackLayers({ ...args.values, chart: args.chart, app: args.app, environment: args.environment, observability: args.observability }, release, extra)).values;
}

/** The chart's defaults (for a chart directory) under the stack's values files and delivery:values: what delivery:values can change. */
function stackOwnValues(args: Pick<AppReleaseArgs, "chart" | "values">): Record<string, unknown> {
    const defaults = args.chart.kind === "path" && !args.chart.appValues ? readChartDir(path.resolve(args.chart.path)).defaults : {};
    return composeLayers([
        { origin: "chart", values: defaults },
        ...args.values.files.map((f) => ({ origin: f.path, values: f.values })),
        { origin: "delivery:values", values: args.values.inline },
    ]).values;
}

/** JSON with sorted keys, so the same values always hash the same. */
function canonical(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(canonical);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    }
    return v;
}

function withAnnotation(props: Record<string, any>, key: string, value: string): Record<string, any> {
    const metadata = props.metadata ?? {};
    return { ...props, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [key]: value } } };
}

/** A rendered Ingress as the program applies it: not waited on, and asking the stack's issuer for its certificate. */
export function ingressProps(props: Record<string, any>, issuer?: string): Record<string, any> {
    const p = withAnnotation(props, "pulumi.com/skipAwait", "true");
    return issuer !== undefined ? withAnnotation(p, CLUSTER_ISSUER_ANNOTATION, issuer) : p;
}

const SECRET_LOOKING = /pass|secret|token|key|credential|pin/i;

/**
 * The chart's numeric values by dotted path (replica counts, sizes, ports), recorded beside the
 * release so that a policy judging a rendered object can name the value to change. Keys that look
 * like secrets are left out.
 */
export function numericValues(v: unknown, prefix = "", out: Record<string, number> = {}): Record<string, number> {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) {
            if (!SECRET_LOOKING.test(k)) {
                numericValues(x, prefix ? `${prefix}.${k}` : k, out);
            }
        }
    } else if (typeof v === "number" && prefix) {
        out[prefix] = v;
    }
    return out;
}

/**
 * What must wait for a chart's rendered objects depends on these: the chart itself (a remote
 * component: the engine finishes it only after its every object) and each object the SDK rebuilt
 * as a resource from the chart's `resources`. The SDK rebuilds a reference only for kinds whose
 * @pulumi/kubernetes module is loaded; any other kind (a CRD's, from any chart) arrives as its ID,
 * which dependsOn refuses, so it is left to the chart.
 */
export function renderedObjects(chart: pulumi.Resource & { readonly resources: pulumi.Output<unknown[] | undefined> }): pulumi.Output<pulumi.Resource[]> {
    return chart.resources.apply((rs) => [chart, ...(rs ?? []).filter((r): r is pulumi.Resource => pulumi.Resource.isInstance(r))]);
}

/**
 * The application's chart, rendered client-side (`helm.v4.Chart`): every object it renders is a
 * resource of its own, so `pulumi preview --diff` shows each object's change and the policy pack
 * judges each object's real spec. Pulumi waits for each workload to become ready (unless
 * `helm.wait` is false); a rollout that does not fails the update, while the Deployment's rolling
 * update keeps the previous release's pods serving. A ConfigMap records in the cluster which
 * release runs and where it came from.
 */
export class AppRelease extends pulumi.ComponentResource {
    /** The chart of the release that serves (with colours: the active colour's). */
    readonly chart: helmv4.Chart;
    /** Every Helm release rendered: one, or a colour each. */
    readonly charts: readonly helmv4.Chart[];
    /** Blue-green: the program's active Service (and Ingress) routing to the serving colour. */
    readonly routes: readonly pulumi.Resource[];
    readonly image: pulumi.Output<string>;
    /**
     * Resolves once every rendered object exists and is ready: the stack's outputs wait on it, so
     * a failed rollout never advertises its release (the update fails before outputs are written).
     */
    readonly ready: pulumi.Output<boolean>;
    /** `sha256:` of the chart, version and values the chart renders from: what exactly was deployed. */
    readonly configHash: pulumi.Output<string>;
    /** The smoke check's Job, when the stack has one. */
    readonly smokeJob?: batchv1.Job;
    /** The promotion record as deployed: config hash and this update's verification (rollout, smoke check). */
    readonly record: pulumi.Output<PromotionRecord>;

    constructor(name: string, args: AppReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:app:AppRelease", name, {}, opts);
        const a = args.app;
        const bg = args.blueGreen;
        const issuer = args.dns?.issuer;
        const programValues = pulumi.all([args.envFromSecrets ?? [], args.serviceAccountAnnotations ?? {}]).apply(([secrets, annotations]) =>
            ({
                envFromSecrets: secrets, serviceAccount: { annotations, labels: { ...args.labels } },
                ...(issuer !== undefined ? { ingress: { annotations: { [CLUSTER_ISSUER_ANNOTATION]: issuer } } } : {}),
            }));
        const valuesFor = (release: pulumi.Input<ReleaseRecord>) => pulumi.all([release, programValues]).apply(([r, extra]) => {
            const v = releaseChartValues(args, r, extra);
            // With colours, the program's one Ingress routes to the active Service (one host, whichever colour serves).
            return bg && args.chart.appValues ? { ...v, ingress: { ...((v.ingress ?? {}) as object), enabled: false } } : v;
        });
        const ref = chartReference(args.chart);
        /** One Helm release of the chart: the app's (rolling), or one colour's (`<app>-blue`). */
        const render = (colour: Colour | undefined, release: pulumi.Input<ReleaseRecord>, values: pulumi.Output<Record<string, unknown>>) => new helmv4.Chart(colour ? `${name}-${colour}-chart` : `${name}-chart`, {
            name: colour ? `${a.name}-${colour}` : a.name,
            namespace: args.namespace,
            chart: ref.chart,
            version: args.chart.kind === "path" ? undefined : pulumi.output(release).chartVersion,
            repositoryOpts: ref.repositoryOpts,
            values,
            skipAwait: !args.helm.wait,
        }, {
            parent: this,
            // Every rendered object gets the stack's timeout for its readiness. As with Helm's --wait,
            // an Ingress is not waited on: its address comes from the ingress controller, not the release.
            // With delivery:tls, every Ingress (of any chart) asks the stack's ClusterIssuer for its certificate.
            // A colour's objects carry the colour (see ./bluegreen).
            transforms: [(t) => {
                const props = t.type === INGRESS ? ingressProps(t.props, issuer) : t.props;
                return {
                    props: colour ? colourObject(props, t.type.slice(t.type.lastIndexOf(":") + 1), colour, a.name, ROUTE_PORT) : props,
                    opts: pulumi.mergeOptions(t.opts, { customTimeouts: { create: `${args.helm.timeoutSeconds}s`, update: `${args.helm.timeoutSeconds}s` } }),
                };
            }],
        });

        let values: pulumi.Output<Record<string, unknown>>;
        /** The chart running the release this update deploys (what the smoke check verifies). */
        let candidate: helmv4.Chart;
        const charts: helmv4.Chart[] = [];
        let deployed: pulumi.Output<ReleaseRecord>;
        if (!bg) {
            values = valuesFor(args.release);
            this.chart = candidate = render(undefined, args.release, values);
            charts.push(this.chart);
            deployed = args.release;
            this.image = args.release.apply((r) => imageRef(a.image, r));
        } else {
            const byColour = new Map<Colour, helmv4.Chart>();
            const valuesByColour = new Map<Colour, pulumi.Output<Record<string, unknown>>>();
            for (const colour of renderedColours(bg.state)) {
                const r = bg.state.colours[colour]!;
                valuesByColour.set(colour, valuesFor(r));
                byColour.set(colour, render(colour, r, valuesByColour.get(colour)!));
            }
            const c = candidateColour(bg.state, bg.release);
            this.chart = byColour.get(bg.state.active)!;
            candidate = byColour.get(c)!;
            values = valuesByColour.get(c)!;
            charts.push(...byColour.values());
            deployed = pulumi.output(bg.state.colours[c]!);
            this.image = pulumi.output(imageRef(a.image, bg.state.colours[bg.state.active]!));
        }
        this.charts = charts;

        this.configHash = pulumi.all([values, deployed]).apply(([v, r]) => `sha256:${crypto.createHash("sha256")
            .update(JSON.stringify([r.chart, r.chartVersion, r.chartDigest ?? "", canonical(v)])).digest("hex")}`);

        // Blue-green: the preview Service selects the colour being verified, before any traffic reaches it.
        let preview: corev1.Service | undefined;
        if (bg) {
            const svc = pulumi.output(args.namespace).apply((namespace) => routeService({
                app: a.name, namespace, colour: candidateColour(bg.state, bg.release), route: "preview", targetPort: a.port, labels: args.labels,
            }));
            preview = new corev1.Service(`${name}-preview`, { metadata: svc.metadata, spec: svc.spec }, { parent: this, dependsOn: [candidate] });
        }

        // The smoke check runs once every rendered object is ready, and again whenever what was
        // deployed changes; the update fails when it does.
        let verified: pulumi.Output<unknown> = pulumi.output(true);
        // With colours the check calls the preview Service: the new colour answers before it gets traffic.
        const smoke = args.smoke && bg ? { ...args.smoke, service: previewServiceName(a.name), port: ROUTE_PORT } : args.smoke;
        if (smoke) {
            const job = pulumi.all([args.namespace, deployed, this.configHash]).apply(([namespace, r, configHash]) =>
                smokeJob({ app: a.name, namespace, version: r.version, configHash, labels: args.labels, smoke }));
            const sa = pulumi.output(args.namespace).apply((namespace) => smokeServiceAccount({ app: a.name, namespace, labels: args.labels }));
            const account = new corev1.ServiceAccount(`${name}-smoke`, {
                metadata: sa.apply((x) => x.metadata),
                automountServiceAccountToken: sa.apply((x) => x.automountServiceAccountToken as boolean),
            }, { parent: this });
            this.smokeJob = new batchv1.Job(`${name}-smoke`, {
                metadata: job.apply((j) => j.metadata),
                spec: job.apply((j) => j.spec),
            }, {
                parent: this,
                dependsOn: renderedObjects(candidate).apply((rs) => [...rs, account, ...(preview ? [preview] : [])]),
                // A Job's template is immutable: a new check is a new Job of the same name.
                deleteBeforeReplace: true,
                replaceOnChanges: ["spec"],
                customTimeouts: { create: `${smoke.timeoutSeconds + 60}s`, update: `${smoke.timeoutSeconds + 60}s` },
            });
            // Resolves only once the Job completed (the provider waits for it; a failed Job fails the update).
            verified = this.smokeJob.status;
        }

        // Blue-green: the app's Service moves to the active colour only after that colour's every
        // rendered object is ready and the smoke check passed (its dependencies; the policy pack checks them).
        const routes: pulumi.Resource[] = [];
        if (bg) {
            const active = bg.state.active;
            const activeChart = this.chart;
            const svc = pulumi.output(args.namespace).apply((namespace) => routeService({ app: a.name, namespace, colour: active, route: "active", targetPort: a.port, labels: args.labels }));
            const router = new corev1.Service(`${name}-active`, { metadata: svc.metadata, spec: svc.spec }, {
                parent: this,
                dependsOn: renderedObjects(activeChart).apply((rs) => [...rs, ...(this.smokeJob ? [this.smokeJob] : [])]),
            });
            routes.push(router);
            if (a.ingress.enabled && args.chart.appValues) {
                const ing = pulumi.output(args.namespace).apply((namespace) => ingressProps(routeIngress({
                    app: a.name, namespace, host: a.ingress.host!, className: a.ingress.className, tls: a.ingress.tls, labels: args.labels,
                }), issuer));
                routes.push(new networkingv1.Ingress(`${name}-ingress`, { metadata: ing.metadata, spec: ing.spec }, { parent: this, dependsOn: [router] }));
            }
        }
        this.routes = routes;
        this.ready = pulumi.all([...charts.map((c) => c.resources), verified, ...routes.map((r) => r.urn)]).apply(() => true);
        const rolloutChecks = bg ? [`traffic (Service ${activeServiceName(a.name)}) moved to ${bg.state.active} only after ${bg.state.active}'s every rendered object was ready`] : [];
        // Known at preview (the policy pack reads it); the in-cluster copy is written after the checks.
        this.record = pulumi.all([args.record, this.configHash, args.namespace]).apply(([r, configHash, namespace]) => ({
            ...r,
            configHash,
            verification: { ...r.verification, checked: [...r.verification.checked, ...(smoke ? [smokeDescription(smoke, namespace)] : []), ...rolloutChecks] },
            ...(bg ? { rollout: bg.state } : {}),
        }));

        new corev1.ConfigMap(`${name}-record`, {
            metadata: {
                name: `${a.name}-release-record`,
                namespace: args.namespace,
                labels: { ...args.labels, "delivery.example.com/record": "promotion" },
            },
            // Objects in sorted-key JSON: the record read back from the backend has its keys sorted,
            // and the same record must give the same data (a no-change update changes nothing).
            data: this.record.apply((r) => ({
                environment: r.environment,
                version: r.release.version,
                image: imageRef(a.image, r.release),
                chart: `${r.release.chart}-${r.release.chartVersion}`,
                chartSource: r.release.chartSource ?? "",
                chartDigest: r.release.chartDigest ?? "",
                source: r.source,
                upstreamStack: r.upstreamStack,
                pinned: String(r.pinned),
                pinReason: r.pinReason,
                emergency: String(r.emergency),
                promotedAt: r.promotedAt,
                promotedBy: r.promotedBy,
                commit: r.commit,
                verification: JSON.stringify(canonical(r.verification)),
                history: JSON.stringify(canonical(r.history)),
                stackReferences: [...(args.stackReferences ?? [])].sort().join(","),
                valueHints: JSON.stringify(numericValues(stackOwnValues(args))),
                configHash: r.configHash ?? "",
                override: r.override ? JSON.stringify(canonical(r.override)) : "",
                rollout: r.rollout ? JSON.stringify(canonical(r.rollout)) : "",
                dnsZone: args.dns?.zone ?? "",
                tlsIssuer: issuer ?? "",
            })),
            // Written only once every rendered object is ready: the cluster never advertises a release that failed.
        }, { parent: this, dependsOn: [...charts, ...(this.smokeJob ? [this.smokeJob] : []), ...routes] });

        this.registerOutputs({ image: this.image });
    }
}

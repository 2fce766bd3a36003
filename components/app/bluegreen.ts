/**
 * Blue-green releases (`delivery:rollout.strategy: blueGreen`): two colours of the release, each a
 * Helm release of its own (`<app>-blue`, `<app>-green`), and a Service the program owns
 * (`<app>-active`) that selects the serving colour's pods. A new release goes to the idle colour;
 * the Service switches only once that colour's every rendered object is ready (and its smoke check,
 * through `<app>-preview`, passed). The colour that lost traffic stays up for `keepPrevious`, then
 * the first update after that removes it (scaled to zero: no pods, no objects).
 *
 * The state — which colour serves, which release each colour runs, until when the standby stays —
 * is part of the promotion record, so each update starts from what the last one left.
 */
import * as pulumi from "@pulumi/pulumi";
import { Colour, RolloutConfig } from "../../config/model";
import type { ReleaseRecord, ResolvedRelease } from "../promotion";

import { APP_LABEL, COLOUR_LABEL, ROUTE_LABEL } from "../../policy/lib/colours";

export const other = (c: Colour): Colour => (c === "blue" ? "green" : "blue");

export interface BlueGreenState {
    readonly strategy: "blueGreen";
    /** The colour the app's Service selects. */
    readonly active: Colour;
    /** What each colour runs (a colour removed after keepPrevious keeps its entry, for a switch-back). */
    readonly colours: { readonly blue?: ReleaseRecord; readonly green?: ReleaseRecord };
    /** The other colour, still up without traffic until `standbyUntil`; absent once removed. */
    readonly standby?: Colour;
    readonly standbyUntil?: string;
    /** When traffic last moved. */
    readonly switchedAt: string;
    /** Traffic held on `active` by delivery:rollout.active. */
    readonly held: boolean;
    /** What this update did, in words. */
    readonly reason: string;
}

/** The same release: what identifies what a colour runs. */
export function sameRelease(a: ReleaseRecord | undefined, b: ReleaseRecord | undefined): boolean {
    return a !== undefined && b !== undefined && a.version === b.version && a.imageTag === b.imageTag && a.imageDigest === b.imageDigest &&
        a.chart === b.chart && a.chartVersion === b.chartVersion && (a.chartDigest ?? "") === (b.chartDigest ?? "");
}

function isState(v: unknown): v is BlueGreenState {
    const s = v as Partial<BlueGreenState> | undefined;
    return typeof s === "object" && s !== null && s.strategy === "blueGreen" && (s.active === "blue" || s.active === "green") &&
        typeof s.colours === "object" && s.colours !== null;
}

/**
 * The next state from the previous one (the stack's last record's `rollout`), the release this
 * update deploys, the stack's rollout config and the time. Pure: the same inputs give the same state.
 * `stack` names the stack in errors.
 */
export function nextBlueGreen(previous: unknown, release: ReleaseRecord, rollout: RolloutConfig, at: Date, stack: string): BlueGreenState {
    const now = at.toISOString();
    const until = new Date(at.getTime() + rollout.keepPreviousSeconds * 1000).toISOString();
    const p = isState(previous) ? previous : undefined;
    if (!p) {
        const active = rollout.active ?? "blue";
        return { strategy: "blueGreen", active, colours: { [active]: release }, switchedAt: now, held: rollout.active !== undefined, reason: `first blue-green release: ${release.version} on ${active}` };
    }
    const colours: { blue?: ReleaseRecord; green?: ReleaseRecord } = { ...p.colours };
    let active: Colour;
    let reason: string;
    if (rollout.active !== undefined) {
        active = rollout.active;
        if (colours[active] === undefined) {
            throw new pulumi.RunError(
                `stack "${stack}" holds traffic on ${active} (delivery:rollout.active), but ${active} has never run a release ` +
                `(${other(active)} runs ${colours[other(active)]?.version ?? "nothing"}). Name the colour that ran the release to go back to, or remove rollout.active.`);
        }
        reason = active === p.active ? `traffic held on ${active} (${colours[active]!.version}) by delivery:rollout.active` :
            `switched back to ${active} (${colours[active]!.version}) by delivery:rollout.active`;
        if (!sameRelease(colours[active], release) && !sameRelease(colours[other(active)], release)) {
            colours[other(active)] = release;
            reason += `; ${release.version} deployed on ${other(active)} without traffic`;
        }
    } else if (sameRelease(colours[p.active], release)) {
        active = p.active;
        reason = `${release.version} keeps serving on ${active}`;
    } else if (sameRelease(colours[other(p.active)], release)) {
        active = other(p.active);
        reason = `switched to ${active}, which runs ${release.version}${p.standby === active ? " (still up: an instant switch)" : " (deployed again, switched once ready)"}`;
    } else {
        active = other(p.active);
        colours[active] = release;
        reason = `${release.version} deployed on ${active}, switched from ${p.active} (${colours[p.active]?.version ?? "nothing"}) once ready`;
    }
    const switched = active !== p.active;
    const idle = other(active);
    // The idle colour changed if it runs another release now, or ran none before and does now (a
    // colour that never ran one is unchanged: after the first release, green stays empty).
    const idleChanged = colours[idle] === undefined ? p.colours[idle] !== undefined : !sameRelease(colours[idle], p.colours[idle]);
    let standby: Colour | undefined;
    let standbyUntil: string | undefined;
    if ((switched || idleChanged) && colours[idle] !== undefined) {
        standby = idle;
        standbyUntil = until;
    } else if (p.standby === idle && p.standbyUntil !== undefined && Date.parse(p.standbyUntil) > at.getTime()) {
        standby = idle;
        standbyUntil = p.standbyUntil;
    } else if (p.standby === idle) {
        reason += `; ${idle} (${colours[idle]?.version ?? "nothing"}) scaled to zero after keepPrevious`;
    }
    const held = rollout.active !== undefined;
    const unchanged = !switched && !idleChanged && standby === p.standby && standbyUntil === p.standbyUntil && held === p.held &&
        sameRelease(colours[active], p.colours[active]);
    // Nothing moved: the record stays as the last update wrote it, so a no-change update changes nothing.
    if (unchanged) {
        return p;
    }
    return {
        strategy: "blueGreen", active, colours, ...(standby ? { standby, standbyUntil } : {}),
        switchedAt: switched ? now : p.switchedAt, held, reason,
    };
}

/** The colours this update renders: the serving one, and the standby while it stays up. */
export function renderedColours(s: BlueGreenState): Colour[] {
    return s.standby ? [s.active, s.standby] : [s.active];
}

/** The colour running `release` (the one the smoke check verifies): the active one unless traffic is held elsewhere. */
export function candidateColour(s: BlueGreenState, release: ReleaseRecord): Colour {
    return sameRelease(s.colours[other(s.active)], release) && !sameRelease(s.colours[s.active], release) ? other(s.active) : s.active;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

/**
 * One rendered object of a colour's chart, as the cluster gets it: the colour on its labels, and
 * on a workload's pod template the app's and the colour's labels (what the program's Services
 * select). An Ingress the chart renders is pointed at the program's active Service, so no route
 * reaches a colour's own Service. Any chart: nothing here depends on the chart's value names.
 */
export function colourObject(props: Record<string, any>, kind: string, colour: Colour, app: string, servicePort: number): Record<string, any> {
    const metadata = props.metadata ?? {};
    const out: Record<string, any> = { ...props, metadata: { ...metadata, labels: { ...(metadata.labels ?? {}), [COLOUR_LABEL]: colour } } };
    if (WORKLOAD_KINDS.has(kind) && props.spec?.template) {
        const t = props.spec.template;
        out.spec = {
            ...props.spec,
            template: { ...t, metadata: { ...(t.metadata ?? {}), labels: { ...(t.metadata?.labels ?? {}), [APP_LABEL]: app, [COLOUR_LABEL]: colour } } },
        };
    }
    if (kind === "Ingress" && props.spec) {
        const backend = { service: { name: activeServiceName(app), port: { number: servicePort } } };
        const spec = { ...props.spec };
        if (spec.defaultBackend) {
            spec.defaultBackend = backend;
        }
        spec.rules = (spec.rules ?? []).map((rule: any) => rule.http ? {
            ...rule, http: { ...rule.http, paths: (rule.http.paths ?? []).map((p: any) => ({ ...p, backend })) },
        } : rule);
        out.spec = spec;
    }
    return out;
}

export const activeServiceName = (app: string) => `${app}-active`;
export const previewServiceName = (app: string) => `${app}-preview`;
/** The port the program's Services listen on (the bundled chart's Service port). */
export const ROUTE_PORT = 80;

/** A Service the program owns, selecting one colour's pods of the app. */
export function routeService(i: { app: string; namespace: string; colour: Colour; route: "active" | "preview"; targetPort: number; labels: Readonly<Record<string, string>> }): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: i.route === "active" ? activeServiceName(i.app) : previewServiceName(i.app),
            namespace: i.namespace,
            labels: { ...i.labels, [ROUTE_LABEL]: i.route, [APP_LABEL]: i.app },
        },
        spec: {
            type: "ClusterIP",
            selector: { [APP_LABEL]: i.app, [COLOUR_LABEL]: i.colour },
            ports: [{ name: "http", port: ROUTE_PORT, targetPort: i.targetPort, protocol: "TCP" }],
        },
    };
}

/** The app's Ingress (from delivery:app.ingress), routing to the active Service: one per host, whichever colour serves. Annotated like every Ingress (release.ts ingressProps). */
export function routeIngress(i: { app: string; namespace: string; host: string; className: string; tls: boolean; labels: Readonly<Record<string, string>> }): Record<string, any> {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: activeServiceName(i.app),
            namespace: i.namespace,
            labels: { ...i.labels, [ROUTE_LABEL]: "active", [APP_LABEL]: i.app },
        },
        spec: {
            ingressClassName: i.className,
            ...(i.tls ? { tls: [{ hosts: [i.host], secretName: `${i.app}-tls` }] } : {}),
            rules: [{
                host: i.host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: activeServiceName(i.app), port: { number: ROUTE_PORT } } } }] },
            }],
        },
    };
}

/** The value of an output the program needs before it registers resources; undefined while unknown. */
async function valueOf<T>(o: pulumi.Output<T>): Promise<T | undefined> {
    return (o as unknown as { promise(): Promise<T | undefined> }).promise();
}

/**
 * This update's blue-green state, before any resource is registered: which colours to render
 * depends on it. The release and the stack's previous record are known at preview (config and
 * stack outputs); a gate that refuses the release fails here with its own message.
 */
export async function planBlueGreen(resolved: ResolvedRelease, rollout: RolloutConfig, at: Date, stack: string): Promise<{ state: BlueGreenState; release: ReleaseRecord }> {
    const [release, previous] = await Promise.all([valueOf(resolved.release), valueOf(resolved.previous)]);
    if (release === undefined) {
        throw new pulumi.RunError(`stack "${stack}" uses delivery:rollout.strategy blueGreen, but its release is not known yet; deploy its upstream first`);
    }
    const prevState = (previous as { rollout?: unknown } | undefined)?.rollout;
    return { state: nextBlueGreen(prevState, release, rollout, at, stack), release };
}

import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { APP_LABEL, COLOUR_LABEL, ROUTE_LABEL } from "../lib/colours";
import { list, peek, read, stringMap } from "../lib/props";
import { INGRESS, SERVICE, WORKLOAD_TYPES, isIngress, isServingWorkload } from "../lib/types";
import { describeWorkload, namespaceOf, podLabelsOf } from "../lib/workloads";

/** `r` waits for `w`: it depends on `w` or on a component `w` belongs to (a Helm release's Chart). */
function waitsFor(r: PolicyResource, w: PolicyResource): boolean {
    const deps = new Set((r.dependencies ?? []).map((d) => d.urn));
    for (let x: PolicyResource | undefined = w; x !== undefined; x = x.parent) {
        if (deps.has(x.urn)) {
            return true;
        }
    }
    return false;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Backend Service names of an Ingress (default backend and every path). */
function backends(p: unknown): string[] {
    const names = [read(p, "spec", "defaultBackend", "service", "name")];
    for (const rule of list(p, "spec", "rules")) {
        for (const path of list(rule, "http", "paths")) {
            names.push(read(path, "backend", "service", "name"));
        }
    }
    return names.filter((n): n is string => typeof n === "string");
}

/**
 * Blue-green releases switch traffic only to a colour that is ready, judged on what the update
 * registers: the app's active Service (the program's, labelled `route: active`) selects exactly
 * one colour; that colour's serving workloads are in the update, run pods, are waited on, and the
 * Service waits for every one of them (its dependencies, as the engine records them); no other
 * Service or Ingress of the app reaches pods of both colours or a colour directly.
 */
export const serviceTrafficAfterReady = stackPolicy({
    name: "service-traffic-after-ready",
    description: "A blue-green release's traffic moves to a colour only after that colour's every workload is ready, and nothing else routes to a colour.",
    severity: "high",
    topics: ["rollout", "availability"],
    scope: "all",
    blocks: "blue-green Services that select no single colour or switch before the colour's workloads are ready, and Services or Ingresses that bypass the switch",
    remedy: "let the program own the switch (delivery:rollout.strategy: blueGreen): do not set pulumi.com/skipAwait or helm.wait: false, and route Ingresses to the <app>-active Service",
    resourceTypes: [SERVICE, INGRESS, ...WORKLOAD_TYPES],
    validate: ({ resources, report }) => {
        const services = resources.filter((r) => r.type === SERVICE);
        const routers = services.filter((s) => stringMap(s.props, "metadata", "labels")[ROUTE_LABEL] === "active");
        for (const router of routers) {
            const ns = namespaceOf(router.props);
            const selector = stringMap(router.props, "spec", "selector");
            const colour = selector[COLOUR_LABEL];
            const app = selector[APP_LABEL];
            const name = String(peek(router.props, "metadata", "name") ?? router.name);
            if (!colour || !app) {
                report(`Service ${name} (the app's active Service) selects ${JSON.stringify(selector)}: it must select one colour (${COLOUR_LABEL}) of one app (${APP_LABEL}), or it sends traffic to a colour that is not ready`, router);
                continue;
            }
            const workloads = resources.filter((w) => isServingWorkload(w.type) && namespaceOf(w.props) === ns && selects(selector, podLabelsOf(w.type, w.props)));
            if (workloads.length === 0) {
                report(`Service ${name} routes to ${colour}, but no workload of ${colour} is in this update: traffic would reach no pod`, router);
            }
            for (const w of workloads) {
                const what = describeWorkload(w.type, w.name);
                if (stringMap(w.props, "metadata", "annotations")["pulumi.com/skipAwait"] === "true") {
                    report(`${what} of ${colour} is not waited for (pulumi.com/skipAwait), so Service ${name} could send it traffic before it is ready`, w);
                } else if (!waitsFor(router, w)) {
                    report(`Service ${name} routes to ${colour} without waiting for ${what}: the switch could happen before the colour is ready`, router);
                }
                if (peek(w.props, "spec", "replicas") === 0) {
                    report(`${what} of ${colour} runs 0 replicas, but Service ${name} sends it the app's traffic`, w);
                }
            }
            // Anything else that selects the app's pods must name one colour; the preview Service is the program's own.
            for (const s of services) {
                const sel = stringMap(s.props, "spec", "selector");
                const route = stringMap(s.props, "metadata", "labels")[ROUTE_LABEL];
                if (s !== router && route !== "preview" && namespaceOf(s.props) === ns && sel[APP_LABEL] === app && !sel[COLOUR_LABEL]) {
                    report(`Service ${String(peek(s.props, "metadata", "name") ?? s.name)} selects the app's pods of both colours: it bypasses the switch`, s);
                }
            }
            const serviceNames = new Map(services.filter((s) => namespaceOf(s.props) === ns).map((s) => [String(peek(s.props, "metadata", "name") ?? s.name), s]));
            for (const ing of resources.filter((r) => isIngress(r.type) && namespaceOf(r.props) === ns)) {
                for (const b of backends(ing.props)) {
                    const target = serviceNames.get(b);
                    const targetLabels = target ? stringMap(target.props, "metadata", "labels") : {};
                    const colourOnly = target !== undefined && (targetLabels[COLOUR_LABEL] !== undefined || targetLabels[ROUTE_LABEL] === "preview");
                    if (colourOnly) {
                        report(`Ingress ${String(peek(ing.props, "metadata", "name") ?? ing.name)} routes to Service ${b}, which serves one colour whatever the switch says; route it to ${name}`, ing);
                    }
                }
            }
        }
    },
});

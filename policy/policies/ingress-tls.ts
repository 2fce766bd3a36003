import { resourcePolicy } from "../lib/define";
import { list } from "../lib/props";
import { HELM_VALUES_TYPES, INGRESS, isHelmValues, isIngress } from "../lib/types";
import { describeRelease, findInValues } from "../lib/workloads";

/** A chart's ingress TLS setting counts when it is true or a non-empty list of TLS blocks. */
function tlsOn(tls: unknown): boolean {
    return tls === true || (Array.isArray(tls) && tls.length > 0);
}

/** Production traffic is encrypted from the client to the ingress. */
export const ingressTls = resourcePolicy({
    name: "ingress-tls",
    description: "Production ingresses terminate TLS (an Ingress with spec.tls, or a chart's ingress with tls on).",
    severity: "medium",
    topics: ["network", "encryption"],
    scope: "production",
    blocks: "production ingresses serving plain HTTP",
    remedy: "set delivery:app.ingress.tls: true",
    resourceTypes: [INGRESS, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isIngress(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => k === "ingress" && typeof v === "object" && v !== null && (v as { enabled?: unknown }).enabled === true)) {
                if (!tlsOn((f.value as { tls?: unknown }).tls)) {
                    report(`${describeRelease(name, props)} serves its ingress without TLS (${f.path}.tls is ${JSON.stringify((f.value as { tls?: unknown }).tls ?? null)})`);
                }
            }
            return;
        }
        if (list(props, "spec", "tls").length === 0) {
            report(`Ingress ${name} has no spec.tls, so it serves plain HTTP`,
                "add spec.tls with the host names and a certificate Secret (e.g. from cert-manager)");
        }
    },
});

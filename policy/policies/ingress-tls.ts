import { resourcePolicy } from "../lib/define";
import { list, peek, stringMap } from "../lib/props";
import { HELM_VALUES_TYPES, INGRESS, isHelmValues, isIngress } from "../lib/types";
import { describeRelease, findInValues } from "../lib/workloads";

/** A chart's ingress TLS setting counts when it is true or a non-empty list of TLS blocks. */
function tlsOn(tls: unknown): boolean {
    return tls === true || (Array.isArray(tls) && tls.length > 0);
}

/** ingress-nginx's switch for redirecting plain HTTP to HTTPS (on by default when the Ingress has TLS). */
export const SSL_REDIRECT = "nginx.ingress.kubernetes.io/ssl-redirect";

/** Production traffic is encrypted from the client to the ingress. */
export const ingressTls = resourcePolicy({
    name: "ingress-tls",
    description: "Production ingresses terminate TLS (an Ingress with spec.tls, or a chart's ingress with tls on).",
    severity: "medium",
    topics: ["network", "encryption"],
    scope: "production",
    blocks: "production ingresses serving plain HTTP (no TLS, a rule host outside spec.tls, or ssl-redirect turned off)",
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
        const tls = list(props, "spec", "tls");
        if (tls.length === 0) {
            report(`Ingress ${name} has no spec.tls, so it serves plain HTTP`,
                "add spec.tls with the host names and a certificate Secret (e.g. from cert-manager)");
            return;
        }
        const covered = new Set(tls.flatMap((t) => list(t, "hosts")).filter((h): h is string => typeof h === "string").map((h) => h.toLowerCase()));
        for (const host of list(props, "spec", "rules").map((r) => peek(r, "host")).filter((h): h is string => typeof h === "string" && h !== "")) {
            if (!covered.has(host.toLowerCase())) {
                report(`Ingress ${name} serves ${host}, which no spec.tls entry lists, so that host is served over plain HTTP`,
                    "list every rule's host in spec.tls[].hosts");
            }
        }
        const redirect = stringMap(props, "metadata", "annotations")[SSL_REDIRECT];
        if (typeof redirect === "string" && redirect.trim().toLowerCase() === "false") {
            report(`Ingress ${name} sets ${SSL_REDIRECT}: "false", so it also serves plain HTTP`,
                `remove the ${SSL_REDIRECT} annotation (from delivery:values ingress.annotations)`);
        }
    },
});

import { stackPolicy } from "../lib/define";
import { list, peek, stringMap } from "../lib/props";
import { isRecord, recordField } from "../lib/record";
import { CLUSTER_ISSUER, CONFIG_MAP, DNS_ZONE_TYPES, INGRESS, isClusterIssuer, isIngress } from "../lib/types";

export interface Params {
    readonly productionServers: string[];
}

export const ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/** The zone's DNS name, whichever cloud's zone it is. */
function zoneName(type: string, props: unknown): string | undefined {
    const v = type === "azure-native:dns:Zone" ? peek(props, "zoneName") : type === "gcp:dns/managedZone:ManagedZone" ? peek(props, "dnsName") : peek(props, "name");
    return typeof v === "string" && v !== "" ? v.toLowerCase().replace(/\.$/, "") : undefined;
}

const HOST_REMEDY = "serve exact host names: delivery:app.ingress.host, and no ingress host or rule through delivery:values or delivery:valuesFiles";
const inZone = (host: string, zone: string) => host === zone || host.endsWith(`.${zone}`);

/**
 * Production's Ingress gets a certificate the world trusts, for a name in production's zone: on a
 * stack that manages DNS or certificates (a zone, a ClusterIssuer, or the release record naming
 * them), every Ingress asks a ClusterIssuer this stack creates whose ACME directory is a
 * production one (never Let's Encrypt staging), and every host it serves lies in the stack's zone.
 */
export const ingressIssuerZone = stackPolicy<Params>({
    name: "ingress-issuer-zone",
    description: "Production Ingresses take their certificate from a production ACME ClusterIssuer of the stack, for hosts inside the stack's DNS zone.",
    severity: "high",
    topics: ["network", "encryption", "dns"],
    scope: "production",
    blocks: "production Ingresses without the stack's ClusterIssuer, with a staging (untrusted) issuer, with a host outside production's zone, a wildcard host or a rule without a host",
    remedy: "set delivery:tls.acme: production (the default in production) and delivery:app.ingress.host inside delivery:dns.zone",
    params: {
        productionServers: {
            type: "array",
            items: { type: "string" },
            default: ["https://acme-v02.api.letsencrypt.org/directory"],
            description: "ACME directories whose certificates production may use.",
        },
    },
    resourceTypes: [INGRESS, CLUSTER_ISSUER, CONFIG_MAP, ...DNS_ZONE_TYPES],
    validate: ({ resources, config, report }) => {
        const records = resources.filter((r) => isRecord(r));
        const zones = new Set([
            ...resources.filter((r) => DNS_ZONE_TYPES.includes(r.type)).map((r) => zoneName(r.type, r.props)),
            ...records.map((r) => recordField(r.props, "dnsZone").toLowerCase()),
        ].filter((z): z is string => z !== undefined && z !== ""));
        const issuers = new Map(resources.filter((r) => isClusterIssuer(r.type)).map((r) => [String(peek(r.props, "metadata", "name") ?? r.name), r]));
        const recorded = records.map((r) => recordField(r.props, "tlsIssuer")).filter((x) => x !== "");
        if (zones.size === 0 && issuers.size === 0 && recorded.length === 0) {
            // DNS and certificates are not this stack's (ingress-tls still holds it to TLS).
            return;
        }
        for (const ing of resources.filter((r) => isIngress(r.type))) {
            const name = `Ingress ${String(peek(ing.props, "metadata", "name") ?? ing.name)}`;
            const wanted = stringMap(ing.props, "metadata", "annotations")[ISSUER_ANNOTATION];
            const issuer = wanted === undefined ? undefined : issuers.get(wanted);
            if (wanted === undefined) {
                report(`${name} asks no ClusterIssuer for its certificate (no ${ISSUER_ANNOTATION} annotation)`, ing);
            } else if (issuer === undefined) {
                report(`${name} asks ClusterIssuer ${wanted}, which this stack does not create, so production cannot show that it is a production issuer`, ing);
            } else {
                const server = peek(issuer.props, "spec", "acme", "server");
                if (typeof server === "string" && !config.productionServers.includes(server)) {
                    report(`${name} takes its certificate from ClusterIssuer ${wanted}, whose ACME directory ${server} is not a production one (${config.productionServers.join(", ")}): browsers would not trust it`, ing);
                }
            }
            const rules = list(ing.props, "spec", "rules");
            if (rules.some((r) => { const h = peek(r, "host"); return h === undefined || h === null || h === ""; }) || peek(ing.props, "spec", "defaultBackend") !== undefined) {
                report(`${name} has a rule without a host (or a default backend): it answers for every name the ingress controller receives`, ing, HOST_REMEDY);
            }
            for (const host of [...new Set([...rules.map((r) => peek(r, "host")), ...list(ing.props, "spec", "tls").flatMap((t) => list(t, "hosts"))]
                .filter((h): h is string => typeof h === "string" && h.includes("*")))]) {
                report(`${name} serves the wildcard host ${host}: it would take the traffic of every other name under it, and its certificate would be valid for all of them`, ing, HOST_REMEDY);
            }
            if (zones.size > 0) {
                const hosts = [
                    ...list(ing.props, "spec", "rules").map((r) => peek(r, "host")),
                    ...list(ing.props, "spec", "tls").flatMap((t) => list(t, "hosts")),
                ].filter((h): h is string => typeof h === "string" && h !== "");
                for (const host of [...new Set(hosts.map((h) => h.toLowerCase()))]) {
                    if (![...zones].some((z) => inZone(host, z))) {
                        report(`${name} serves ${host}, outside production's zone (${[...zones].join(", ")})`, ing);
                    }
                }
            }
        }
    },
});

/**
 * `delivery:dns` and `delivery:tls`: the environment's zone, external-dns writing the app's
 * records into it, and cert-manager with a ClusterIssuer answering DNS-01 in that zone.
 */
import { Static } from "@sinclair/typebox";
import { Environment } from "./environment";
import { ConfigReader } from "./reader";
import { ACME_DIRECTORIES, DnsSchema, Resolved, TlsSchema } from "./schema";

export { ACME_DIRECTORIES };
export const EXTERNAL_DNS_CHART_REPOSITORY = "https://kubernetes-sigs.github.io/external-dns/";
export const CERT_MANAGER_CHART_REPOSITORY = "https://charts.jetstack.io";
/** The Ingress annotation cert-manager's ingress-shim reads: which ClusterIssuer signs the Ingress's certificate. */
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

type DnsInput = Static<typeof DnsSchema>;
type TlsInput = Static<typeof TlsSchema>;

/** `delivery:dns` with its defaults applied (the existing zone's coordinates stay optional). */
export type DnsConfig = Resolved<Omit<DnsInput, "externalDns">, "zoneId" | "resourceGroup" | "project"> & {
    readonly externalDns: Resolved<NonNullable<DnsInput["externalDns"]>>;
};

/** `delivery:tls` with its defaults applied; `server` is the ACME directory of `acme`. */
export type TlsConfig = Resolved<TlsInput> & { readonly server: string };

const D = DnsSchema.properties;
const T = TlsSchema.properties;

/** The host is the zone itself or a name under it. */
export function inZone(host: string, zone: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, "");
    const z = zone.toLowerCase().replace(/\.$/, "");
    return h === z || h.endsWith(`.${z}`);
}

export function readDns(r: ConfigReader, value: unknown, env: Environment, clusterProvider: string): DnsConfig | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object("dns", value, DnsSchema);
    const x = r.object("dns.externalDns", o.externalDns, D.externalDns);
    const X = D.externalDns.properties;
    const create = r.boolean("dns.create", o.create, D.create);
    const zoneId = r.string("dns.zoneId", o.zoneId, D.zoneId, { optional: true });
    const resourceGroup = r.string("dns.resourceGroup", o.resourceGroup, D.resourceGroup, { optional: true });
    const project = r.string("dns.project", o.project, D.project, { optional: true });
    const refused = clusterProvider === "existing" || clusterProvider === "stack";
    if (refused) {
        r.issue("dns", `is not supported on cluster.provider ${clusterProvider}: external-dns and cert-manager get a cloud identity scoped to the zone from a cluster this stack creates (aws, azure, gcp); on an existing or borrowed cluster its owners run DNS and certificates`,
            "remove delivery:dns and delivery:tls (and point app.ingress.host at the owners' zone)");
    }
    // Keys of another cloud's zone would be ignored: say so rather than guess.
    for (const [key, v, cloud] of [["resourceGroup", resourceGroup, "azure"], ["project", project, "gcp"]] as const) {
        if (!refused && v !== undefined && clusterProvider !== cloud) {
            r.issue(`dns.${key}`, `is only used on ${cloud} (the zone is on the cluster's cloud, ${clusterProvider}); remove it`, "remove it");
        }
    }
    if (!refused && !create && zoneId === undefined && clusterProvider !== "azure") {
        r.issue("dns.zoneId", `is required with dns.create: false: the existing zone's ${clusterProvider === "gcp" ? "Cloud DNS managed zone name" : "Route 53 hosted zone id"}`,
            clusterProvider === "gcp" ? "acme-example" : "Z0123456789ABCDEFGHIJ");
    }
    if (!refused && create && zoneId !== undefined) {
        r.issue("dns.zoneId", "names an existing zone, but dns.create is true (the stack would create another): set dns.create: false to use it, or remove zoneId", "create: false");
    }
    const before = r.issues.length;
    const zone = r.string("dns.zone", o.zone, D.zone);
    return {
        // "" when the zone itself was refused: nothing is then checked against it.
        zone: r.issues.length === before ? zone : "",
        create,
        ...(zoneId !== undefined ? { zoneId } : {}),
        ...(resourceGroup !== undefined ? { resourceGroup } : {}),
        ...(project !== undefined ? { project } : {}),
        externalDns: {
            install: r.boolean("dns.externalDns.install", x.install, X.install),
            chartVersion: r.string("dns.externalDns.chartVersion", x.chartVersion, X.chartVersion),
            namespace: r.string("dns.externalDns.namespace", x.namespace, X.namespace),
            policy: r.string("dns.externalDns.policy", x.policy, X.policy, { default: env === "production" ? "upsert-only" : "sync" }) as DnsConfig["externalDns"]["policy"],
        },
    };
}

export function readTls(r: ConfigReader, value: unknown, env: Environment, dns: DnsConfig | undefined, ingress: { enabled: boolean; tls: boolean }): TlsConfig | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object("tls", value, TlsSchema);
    const c = r.object("tls.certManager", o.certManager, T.certManager);
    const C = T.certManager.properties;
    const acme = r.string("tls.acme", o.acme, T.acme, { default: env === "production" ? "production" : "staging" }) as TlsConfig["acme"];
    if (dns === undefined) {
        r.issue("tls", "needs delivery:dns: the ClusterIssuer answers DNS-01 challenges in the zone, through the zone's identity", "delivery:dns: { zone: dev.acme.example }");
    }
    if (!ingress.enabled || !ingress.tls) {
        r.issue("tls", `is set but ${!ingress.enabled ? "the app has no Ingress (app.ingress)" : "app.ingress.tls is false"}: nothing would ask for a certificate`,
            "app.ingress: { host: storefront.dev.acme.example, tls: true }");
    }
    return {
        acme,
        server: ACME_DIRECTORIES[acme] ?? ACME_DIRECTORIES.production,
        email: r.string("tls.email", o.email, T.email),
        issuer: r.string("tls.issuer", o.issuer, T.issuer, { default: `letsencrypt-${acme}`, example: `letsencrypt-${acme}` }),
        certManager: {
            install: r.boolean("tls.certManager.install", c.install, C.install),
            chartVersion: r.string("tls.certManager.chartVersion", c.chartVersion, C.chartVersion),
            namespace: r.string("tls.certManager.namespace", c.namespace, C.namespace),
        },
    };
}

/** The app's Ingress host lies inside the zone, and the platform namespaces stay apart from the app's. */
export function checkDns(r: ConfigReader, dns: DnsConfig | undefined, tls: TlsConfig | undefined, host: string, hostEnabled: boolean, appNamespace: string): void {
    // A host or zone already refused for its shape is not judged again against the other.
    if (dns !== undefined && dns.zone !== "" && hostEnabled && host !== "" && !r.reported("app.ingress.host") && !r.reported("dns.zone") && !inZone(host, dns.zone)) {
        r.issue("app.ingress.host", `is ${host}, outside delivery:dns.zone (${dns.zone}): external-dns would not write its record and the DNS-01 challenge could not be answered`,
            `${host.split(".")[0]}.${dns.zone}`);
    }
    const platform = [dns?.externalDns.install ? ["dns.externalDns.namespace", dns.externalDns.namespace] : undefined, tls?.certManager.install ? ["tls.certManager.namespace", tls.certManager.namespace] : undefined]
        .filter((x): x is string[] => x !== undefined);
    for (const [key, ns] of platform) {
        if (ns === appNamespace) {
            r.issue(key, `is ${ns}, the app's namespace: the controller gets a namespace of its own`, key.startsWith("dns") ? "external-dns" : "cert-manager");
        }
    }
}

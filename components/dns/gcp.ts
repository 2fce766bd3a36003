import * as dns from "@pulumi/gcp/dns";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import { SHORT_NAMES } from "../../config/environment";
import { workloadIdentityMember } from "../secrets/gcp";
import { Values, ZoneContext, ZoneWiring } from "./context";

/** A Cloud DNS managed zone's resource name from its DNS name: `dev.acme.example` → `dev-acme-example`. */
export function managedZoneName(zone: string): string {
    return zone.replace(/\.$/, "").replace(/\./g, "-").slice(0, 63).replace(/-+$/, "");
}

/**
 * A Cloud DNS managed zone (or an existing one) and a Google service account, impersonable only
 * by the external-dns and cert-manager service accounts, that is DNS admin on that zone only.
 * Listing the project's zones (which external-dns does to find this one) is a project permission:
 * a custom role grants that one read-only permission and nothing else.
 */
export function gcpZone(ctx: ZoneContext): ZoneWiring {
    const parent = { parent: ctx.parent };
    const d = ctx.dns;
    const project = d.project ?? ctx.project;
    if (project === undefined) {
        throw new pulumi.RunError(`delivery:dns (stack ${pulumi.getStack()}): no GCP project for the zone; set delivery:dns.project`);
    }
    const short = SHORT_NAMES[ctx.environment];
    let zoneName: pulumi.Output<string>;
    let nameServers: pulumi.Output<string[]> = pulumi.output([]);
    if (d.create) {
        const zone = new dns.ManagedZone(`${ctx.name}-zone`, {
            project,
            name: managedZoneName(d.zone),
            dnsName: `${d.zone}.`,
            description: `${ctx.app} ${ctx.environment} (managed by Pulumi)`,
            visibility: "public",
            labels: { ...ctx.tags },
        }, { ...parent, protect: ctx.protect });
        zoneName = zone.name;
        nameServers = zone.nameServers;
    } else {
        zoneName = pulumi.output(d.zoneId as string);
    }
    const gsa = new serviceaccount.Account(`${ctx.name}-zone-gsa`, {
        project,
        accountId: `${ctx.app}-${short}-dns`.slice(0, 30),
        displayName: `external-dns and cert-manager DNS-01 for ${d.zone} (${ctx.environment})`,
    }, parent);
    const member = pulumi.interpolate`serviceAccount:${gsa.email}`;
    const dependsOn: pulumi.Resource[] = [
        new dns.DnsManagedZoneIamMember(`${ctx.name}-zone-admin`, { project, managedZone: zoneName, role: "roles/dns.admin", member }, parent),
    ];
    const lister = new projects.IAMCustomRole(`${ctx.name}-zone-lister`, {
        project,
        roleId: `deliveryDnsZoneList_${ctx.app.replace(/-/g, "_")}_${short}`,
        title: `List DNS zones (${ctx.app} ${ctx.environment})`,
        description: "Finds the managed zone by name; grants no access to any zone's records.",
        permissions: ["dns.managedZones.list"],
    }, parent);
    dependsOn.push(new projects.IAMMember(`${ctx.name}-zone-list`, { project, role: lister.name, member }, parent));
    const clusterProject = pulumi.all([ctx.identity.gcpProject]).apply(([c]) => c || project);
    for (const u of ctx.users) {
        dependsOn.push(new serviceaccount.IAMMember(`${ctx.name}-zone-wi-${u.serviceAccount}`, {
            serviceAccountId: gsa.name,
            role: "roles/iam.workloadIdentityUser",
            member: clusterProject.apply((p) => workloadIdentityMember(p, u.namespace, u.serviceAccount)),
        }, parent));
    }
    return {
        zoneRef: zoneName,
        nameServers,
        serviceAccount: { annotations: { "iam.gke.io/gcp-service-account": gsa.email }, labels: {} },
        podLabels: {},
        externalDnsValues: zoneName.apply((): Values => ({ provider: { name: "google" }, extraArgs: [`--google-project=${project}`, "--google-zone-visibility=public"] })),
        solver: zoneName.apply((z): Values => ({ cloudDNS: { project, hostedZoneName: z } })),
        dependsOn,
    };
}

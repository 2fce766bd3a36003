import * as iam from "@pulumi/aws/iam";
import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";
import { webIdentityTrust } from "../secrets/aws";
import { Values, ZoneContext, ZoneWiring, subjectOf } from "./context";

/**
 * Changes to this hosted zone only. Route 53 has no per-zone scope for listing zones or reading a
 * change's status, so those two read-only actions are account-wide; no write reaches another zone.
 */
export function zonePolicy(zoneId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "ThisZoneOnly", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource"], Resource: `arn:aws:route53:::hostedzone/${zoneId}` },
            { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
            { Sid: "FindZones", Effect: "Allow", Action: ["route53:ListHostedZones", "route53:ListHostedZonesByName"], Resource: "*" },
        ],
    });
}

/** A Route 53 hosted zone (or an existing one) and an IAM role for service accounts that may change only it. */
export function awsZone(ctx: ZoneContext): ZoneWiring {
    const parent = { parent: ctx.parent };
    const d = ctx.dns;
    let zoneId: pulumi.Output<string>;
    let nameServers: pulumi.Output<string[]> = pulumi.output([]);
    if (d.create) {
        const zone = new route53.Zone(`${ctx.name}-zone`, {
            name: d.zone,
            comment: `${ctx.app} ${ctx.environment} (managed by Pulumi)`,
            tags: { ...ctx.tags },
        }, { ...parent, protect: ctx.protect });
        zoneId = zone.zoneId;
        nameServers = zone.nameServers;
    } else {
        zoneId = pulumi.output(d.zoneId as string);
    }
    const role = new iam.Role(`${ctx.name}-zone-role`, {
        description: `external-dns and cert-manager DNS-01 for ${d.zone} (${ctx.environment})`,
        assumeRolePolicy: pulumi.all([ctx.identity.oidcProviderArn, ctx.identity.oidcIssuerUrl]).apply(([arn, issuer]) => {
            if (!arn || !issuer) {
                throw new pulumi.RunError(`delivery:dns (stack ${pulumi.getStack()}): the cluster has no AWS OIDC provider for the zone's identity to trust`);
            }
            return webIdentityTrust(arn, issuer, ctx.users.map(subjectOf));
        }),
        maxSessionDuration: 3600,
        tags: { ...ctx.tags },
    }, parent);
    const policy = new iam.RolePolicy(`${ctx.name}-zone-records`, { role: role.name, policy: zoneId.apply(zonePolicy) }, parent);
    return {
        zoneRef: zoneId,
        nameServers,
        serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": role.arn }, labels: {} },
        podLabels: {},
        externalDnsValues: zoneId.apply((id): Values => ({
            provider: { name: "aws" },
            env: [{ name: "AWS_DEFAULT_REGION", value: ctx.region }],
            extraArgs: [`--zone-id-filter=${id}`],
        })),
        solver: zoneId.apply((id): Values => ({ route53: { region: ctx.region, hostedZoneID: id } })),
        dependsOn: [policy],
    };
}

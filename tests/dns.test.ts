/**
 * DNS and TLS per environment: each shipped stack's zone, external-dns and cert-manager with one
 * identity scoped to that zone (AWS, Azure, GCP under mocks), the ClusterIssuer per environment,
 * the app's Ingress asking it for its certificate, and the validation of delivery:dns / delivery:tls.
 */
import { strict as assert } from "assert";
import { ConfigValidationError, StackConfig } from "../config";
import { parseConfig } from "../config/parse";
import { ingressProps } from "../components/app/release";
import { projectValues, toProgramConfig } from "../tools/offline/stackfile";
import { Evaluation, NO_DNS, RegisteredResource, cfg, ofType, one, rejects, runStack, stackConfig } from "./harness";

const AZURE = cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" }, resourceGroup: null });
const GCP = cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123", nodes: { size: "e2-standard-4" } });
const NO_SECRETS = cfg("secrets", null);
const GCP_BUDGET = cfg("budget", { monthlyUsd: 2500, recipients: ["platform@acme.example"], billingAccount: "012345-6789AB-CDEF01" });
const LE_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
const LE_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";
const SUBJECTS = ["system:serviceaccount:external-dns:external-dns", "system:serviceaccount:cert-manager:cert-manager"];

const release = (ev: Evaluation, chart: string) => one(ev, "kubernetes:helm.sh/v3:Release", `-${chart}`);
const issuer = (ev: Evaluation) => one(ev, "kubernetes:cert-manager.io/v1:ClusterIssuer");
const ingress = (ev: Evaluation) => one(ev, "kubernetes:networking.k8s.io/v1:Ingress");
const sa = (r: RegisteredResource) => r.inputs.values.serviceAccount as { name: string; annotations: Record<string, string>; labels: Record<string, string> };

function parsed(stack: string, ...overrides: Record<string, unknown>[]): StackConfig {
    const { values, secretKeys } = projectValues(toProgramConfig("delivery", {}, stackConfig(stack, ...overrides)));
    return parseConfig({ project: "delivery", stack, values, secretKeys });
}

function problems(stack: string, ...overrides: Record<string, unknown>[]): string[] {
    try {
        parsed(stack, ...overrides);
    } catch (e) {
        assert.ok(e instanceof ConfigValidationError, String(e));
        return e.issues.map((i) => `${i.key}: ${i.problem}`);
    }
    return assert.fail("expected the configuration to be refused");
}

describe("DNS and TLS per environment", () => {
    describe("the shipped stacks", () => {
        it("dev and staging have zones of their own under acme.example and Let's Encrypt staging; prod has the apex zone and Let's Encrypt production", () => {
            const [dev, staging, prod] = ["dev", "staging", "prod"].map((s) => parsed(s));
            assert.deepEqual([dev, staging, prod].map((c) => [c.dns?.zone, c.app.ingress.host, c.tls?.acme, c.tls?.server, c.tls?.issuer]), [
                ["dev.acme.example", "storefront.dev.acme.example", "staging", LE_STAGING, "letsencrypt-staging"],
                ["staging.acme.example", "storefront.staging.acme.example", "staging", LE_STAGING, "letsencrypt-staging"],
                ["acme.example", "storefront.acme.example", "production", LE_PRODUCTION, "letsencrypt-production"],
            ]);
            // external-dns never deletes production records; elsewhere it cleans up after itself.
            assert.deepEqual([dev, staging, prod].map((c) => c.dns?.externalDns.policy), ["sync", "sync", "upsert-only"]);
        });

        it("without delivery:tls.acme, production takes Let's Encrypt production and other environments staging", () => {
            assert.equal(parsed("prod", cfg("tls", { email: "platform@acme.example" })).tls?.server, LE_PRODUCTION);
            assert.equal(parsed("dev", cfg("tls", { email: "platform@acme.example" })).tls?.server, LE_STAGING);
        });
    });

    describe("AWS: Route 53", () => {
        let prod: Evaluation;
        before(async () => {
            prod = await runStack("prod");
        });

        it("creates the hosted zone and publishes its name servers for the parent's delegation", () => {
            const zone = one(prod, "aws:route53/zone:Zone");
            assert.equal(zone.inputs.name, "acme.example");
            assert.equal(zone.inputs.tags.stack, "prod");
            const out = prod.outputs.dns as { zone: string; zoneId: string; nameServers: string[]; issuer: string };
            assert.equal(out.zone, "acme.example");
            assert.match(out.zoneId, /^Z[0-9A-F]+$/);
            assert.equal(out.nameServers.length, 4);
            assert.equal(out.issuer, "letsencrypt-production");
            assert.equal(zone.protect, true, "prod's zone is protected like its cluster");
        });

        it("one role, trusted only by the external-dns and cert-manager service accounts, may change only this zone", () => {
            const zoneId = (prod.outputs.dns as { zoneId: string }).zoneId;
            const trust = JSON.parse(one(prod, "aws:iam/role:Role", "-zone-role").inputs.assumeRolePolicy);
            const cond = trust.Statement[0].Condition.StringEquals;
            const issuerHost = Object.keys(cond).find((k) => k.endsWith(":sub"))!.replace(/:sub$/, "");
            assert.deepEqual(cond[`${issuerHost}:sub`], SUBJECTS);
            assert.equal(cond[`${issuerHost}:aud`], "sts.amazonaws.com");
            const statements = JSON.parse(one(prod, "aws:iam/rolePolicy:RolePolicy", "-zone-records").inputs.policy).Statement as { Action: string | string[]; Resource: string }[];
            const writes = statements.filter((s) => [s.Action].flat().includes("route53:ChangeResourceRecordSets"));
            assert.deepEqual(writes.map((s) => s.Resource), [`arn:aws:route53:::hostedzone/${zoneId}`]);
            // Only read-only listing reaches beyond the zone (Route 53 cannot scope it).
            for (const s of statements.filter((x) => x.Resource === "*")) {
                assert.ok([s.Action].flat().every((a) => /^route53:List/.test(a)), JSON.stringify(s));
            }
        });

        it("external-dns (pinned chart) writes the Ingress's records into this zone only, as this stack's owner", () => {
            const r = release(prod, "external-dns");
            assert.deepEqual([r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts.repo, r.inputs.namespace], ["external-dns", "1.15.0", "https://kubernetes-sigs.github.io/external-dns/", "external-dns"]);
            const v = r.inputs.values;
            const zoneId = (prod.outputs.dns as { zoneId: string }).zoneId;
            assert.deepEqual([v.provider, v.domainFilters, v.sources, v.policy, v.txtOwnerId], [{ name: "aws" }, ["acme.example"], ["ingress"], "upsert-only", "delivery-prod"]);
            assert.ok(v.extraArgs.includes(`--zone-id-filter=${zoneId}`), JSON.stringify(v.extraArgs));
            assert.equal(sa(r).name, "external-dns");
            assert.equal(sa(r).annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/storefront-dns-zone-role");
        });

        it("cert-manager (pinned chart, with its CRDs) acts as the same role; the ClusterIssuer answers DNS-01 in the zone", () => {
            const r = release(prod, "cert-manager");
            assert.deepEqual([r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts.repo, r.inputs.namespace], ["cert-manager", "v1.16.2", "https://charts.jetstack.io", "cert-manager"]);
            assert.equal(r.inputs.values.crds.enabled, true);
            assert.equal(r.inputs.values.replicaCount, 2);
            assert.equal(sa(r).annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/storefront-dns-zone-role");
            const spec = issuer(prod).inputs.spec.acme;
            assert.equal(issuer(prod).inputs.metadata.name, "letsencrypt-production");
            assert.deepEqual([spec.server, spec.email, spec.privateKeySecretRef.name], [LE_PRODUCTION, "platform@acme.example", "letsencrypt-production-account-key"]);
            assert.deepEqual(spec.solvers, [{ selector: { dnsZones: ["acme.example"] }, dns01: { route53: { region: "eu-west-1", hostedZoneID: (prod.outputs.dns as { zoneId: string }).zoneId } } }]);
            assert.ok(issuer(prod).dependencies!.includes(r.urn), "the issuer waits for cert-manager's CRDs");
        });

        it("the app's rendered Ingress asks the issuer for its certificate; the release record names zone and issuer", () => {
            const ing = ingress(prod).inputs;
            assert.equal(ing.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-production");
            assert.deepEqual(ing.spec.tls, [{ hosts: ["storefront.acme.example"], secretName: "storefront-tls" }]);
            const data = one(prod, "kubernetes:core/v1:ConfigMap", "-record").inputs.data;
            assert.deepEqual([data.dnsZone, data.tlsIssuer], ["acme.example", "letsencrypt-production"]);
        });

        it("dev: its own zone, the staging issuer, one cert-manager replica", async () => {
            const dev = await runStack("dev");
            assert.equal(one(dev, "aws:route53/zone:Zone").inputs.name, "dev.acme.example");
            assert.equal(one(dev, "aws:route53/zone:Zone").protect, false);
            assert.equal(issuer(dev).inputs.metadata.name, "letsencrypt-staging");
            assert.equal(issuer(dev).inputs.spec.acme.server, LE_STAGING);
            assert.equal(ingress(dev).inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-staging");
            assert.equal(release(dev, "cert-manager").inputs.values.replicaCount, 1);
            assert.equal(release(dev, "external-dns").inputs.values.policy, "sync");
        });

        it("an existing hosted zone: no zone created, the role scoped to that zone id", async () => {
            const ev = await runStack("prod", cfg("dns", { create: false, zoneId: "Z0EXISTING123" }));
            assert.equal(ofType(ev, "aws:route53/zone:Zone").length, 0);
            const statements = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "-zone-records").inputs.policy).Statement;
            assert.equal(statements[0].Resource, "arn:aws:route53:::hostedzone/Z0EXISTING123");
            assert.equal(issuer(ev).inputs.spec.acme.solvers[0].dns01.route53.hostedZoneID, "Z0EXISTING123");
            assert.deepEqual((ev.outputs.dns as { nameServers: string[] }).nameServers, []);
        });

        it("without the installs: the role trusts only what uses it, and the ClusterIssuer is still created for the cluster's own cert-manager", async () => {
            const ev = await runStack("prod", cfg("dns", { externalDns: { install: false } }), cfg("tls", { certManager: { install: false } }));
            assert.equal(ofType(ev, "kubernetes:helm.sh/v3:Release").filter((r) => /external-dns|cert-manager/.test(r.name)).length, 0);
            const cond = JSON.parse(one(ev, "aws:iam/role:Role", "-zone-role").inputs.assumeRolePolicy).Statement[0].Condition.StringEquals;
            assert.deepEqual(Object.entries(cond).find(([k]) => k.endsWith(":sub"))![1], [SUBJECTS[1]]);
            assert.equal(issuer(ev).inputs.metadata.name, "letsencrypt-production");
        });

        it("a stack without delivery:dns and delivery:tls creates none of it, and its Ingress asks no issuer", async () => {
            const ev = await runStack("dev", NO_DNS);
            assert.equal(ofType(ev, "aws:route53/zone:Zone").length + ofType(ev, "kubernetes:cert-manager.io/v1:ClusterIssuer").length, 0);
            // Only the program's own annotation (an Ingress is not waited on): no issuer.
            assert.deepEqual(ingress(ev).inputs.metadata.annotations, { "pulumi.com/skipAwait": "true" });
            assert.equal(ev.outputs.dns, undefined);
        });
    });

    describe("Azure DNS", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await runStack("prod", AZURE, NO_SECRETS);
        });

        it("a public zone in the cluster's resource group; one identity federated with both service accounts, DNS Zone Contributor on that zone only", () => {
            const zone = one(ev, "azure-native:dns:Zone");
            assert.deepEqual([zone.inputs.zoneName, zone.inputs.zoneType, zone.inputs.location, zone.inputs.resourceGroupName], ["acme.example", "Public", "global", "rg-delivery-prod"]);
            const feds = ofType(ev, "azure-native:managedidentity:FederatedIdentityCredential");
            assert.deepEqual(feds.map((f) => f.inputs.subject).sort(), [...SUBJECTS].sort());
            for (const f of feds) {
                assert.deepEqual(f.inputs.audiences, ["api://AzureADTokenExchange"]);
                assert.match(f.inputs.issuer, /^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\//);
            }
            const role = one(ev, "azure-native:authorization:RoleAssignment", "-zone-contributor");
            // The zone's own id (the offline mocks' form of it): the grant reaches no other zone.
            assert.match(role.inputs.scope, /\/resourceGroups\/rg-delivery-prod\/providers\/dns\/storefront-dns-zone$/);
            assert.match(role.inputs.roleDefinitionId, /\/roleDefinitions\/befefa01-2a29-4197-83a8-272ff33ce314$/);
        });

        it("external-dns reads ids (no credential) from azure.json and authenticates as the workload identity; the issuer uses it too", () => {
            const secret = one(ev, "kubernetes:core/v1:Secret", "-external-dns-azure");
            const conf = JSON.parse(secret.inputs.stringData["azure.json"]);
            assert.deepEqual([conf.useWorkloadIdentityExtension, conf.resourceGroup, conf.tenantId], [true, "rg-delivery-prod", "00000000-0000-0000-0000-00000000a2e0"]);
            assert.equal(Object.keys(conf).some((k) => /secret|password/i.test(k)), false);
            const v = release(ev, "external-dns").inputs.values;
            assert.deepEqual(v.provider, { name: "azure" });
            assert.deepEqual(v.extraVolumes, [{ name: "azure-config-file", secret: { secretName: "external-dns-azure" } }]);
            assert.equal(v.podLabels["azure.workload.identity/use"], "true");
            const clientId = sa(release(ev, "external-dns")).annotations["azure.workload.identity/client-id"];
            assert.equal(conf.userAssignedIdentityID, clientId);
            assert.equal(sa(release(ev, "cert-manager")).annotations["azure.workload.identity/client-id"], clientId);
            assert.equal(release(ev, "cert-manager").inputs.values.podLabels["azure.workload.identity/use"], "true");
            const dns01 = issuer(ev).inputs.spec.acme.solvers[0].dns01;
            assert.deepEqual(dns01.azureDNS, { subscriptionID: "00000000-0000-0000-0000-0000000005b5", resourceGroupName: "rg-delivery-prod", hostedZoneName: "acme.example", environment: "AzurePublicCloud", managedIdentity: { clientID: clientId } });
        });

        it("an existing zone in another resource group is found by name, and only it is granted", async () => {
            const existing = await runStack("prod", AZURE, NO_SECRETS, cfg("dns", { create: false, resourceGroup: "rg-dns" }));
            assert.equal(ofType(existing, "azure-native:dns:Zone").length, 0);
            assert.match(one(existing, "azure-native:authorization:RoleAssignment", "-zone-contributor").inputs.scope, /\/resourceGroups\/rg-dns\/providers\/Microsoft\.Network\/dnszones\/acme\.example$/);
            assert.equal(issuer(existing).inputs.spec.acme.solvers[0].dns01.azureDNS.resourceGroupName, "rg-dns");
        });
    });

    describe("GCP Cloud DNS", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await runStack("prod", GCP, NO_SECRETS, GCP_BUDGET);
        });

        it("a public managed zone; a Google service account that is DNS admin on that zone only, impersonable only by the two service accounts", () => {
            const zone = one(ev, "gcp:dns/managedZone:ManagedZone");
            assert.deepEqual([zone.inputs.name, zone.inputs.dnsName, zone.inputs.visibility, zone.inputs.project], ["acme-example", "acme.example.", "public", "acme-prod-123"]);
            const admin = one(ev, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember");
            assert.deepEqual([admin.inputs.managedZone, admin.inputs.role, admin.inputs.member], ["acme-example", "roles/dns.admin", "serviceAccount:storefront-prod-dns@acme-prod-123.iam.gserviceaccount.com"]);
            const lister = one(ev, "gcp:projects/iAMCustomRole:IAMCustomRole");
            assert.deepEqual(lister.inputs.permissions, ["dns.managedZones.list"]);
            const projectRoles = ofType(ev, "gcp:projects/iAMMember:IAMMember").filter((m) => m.name.includes("-zone-"));
            assert.deepEqual(projectRoles.map((m) => m.inputs.role), ["projects/acme-prod-123/roles/deliveryDnsZoneList_storefront_prod"]);
            const wi = ofType(ev, "gcp:serviceaccount/iAMMember:IAMMember").filter((m) => m.name.includes("-zone-wi-"));
            assert.deepEqual(wi.map((m) => m.inputs.member).sort(), [
                "serviceAccount:acme-prod-123.svc.id.goog[cert-manager/cert-manager]",
                "serviceAccount:acme-prod-123.svc.id.goog[external-dns/external-dns]",
            ]);
        });

        it("external-dns and the issuer use Cloud DNS in the zone's project as that service account", () => {
            const v = release(ev, "external-dns").inputs.values;
            assert.deepEqual(v.provider, { name: "google" });
            assert.ok(v.extraArgs.includes("--google-project=acme-prod-123"));
            assert.equal(sa(release(ev, "external-dns")).annotations["iam.gke.io/gcp-service-account"], "storefront-prod-dns@acme-prod-123.iam.gserviceaccount.com");
            assert.equal(sa(release(ev, "cert-manager")).annotations["iam.gke.io/gcp-service-account"], "storefront-prod-dns@acme-prod-123.iam.gserviceaccount.com");
            assert.deepEqual(issuer(ev).inputs.spec.acme.solvers[0].dns01, { cloudDNS: { project: "acme-prod-123", hostedZoneName: "acme-example" } });
        });

        it("an existing managed zone in another project is granted by name, none created", async () => {
            const existing = await runStack("prod", GCP, NO_SECRETS, GCP_BUDGET, cfg("dns", { create: false, zoneId: "acme-apex", project: "acme-dns-123" }));
            assert.equal(ofType(existing, "gcp:dns/managedZone:ManagedZone").length, 0);
            const admin = one(existing, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember");
            assert.deepEqual([admin.inputs.managedZone, admin.inputs.project], ["acme-apex", "acme-dns-123"]);
            assert.deepEqual(issuer(existing).inputs.spec.acme.solvers[0].dns01, { cloudDNS: { project: "acme-dns-123", hostedZoneName: "acme-apex" } });
        });
    });

    describe("any chart", () => {
        it("a chart of its own ingress values gets the issuer on its Ingress too (the offline plan replays the program's transform)", async () => {
            const WEB = {
                "delivery:chart": { path: "tests/fixtures/charts/web-ingress", imageValues: { repository: "web.image.repository", tag: "web.image.tag" } },
                "delivery:values": { web: { ingress: { host: "web.dev.acme.example" } } },
            };
            const ev = await runStack("dev", WEB);
            const ing = ingress(ev).inputs;
            assert.deepEqual(ing.metadata.annotations, {
                "nginx.ingress.kubernetes.io/proxy-body-size": "8m", "pulumi.com/skipAwait": "true", "cert-manager.io/cluster-issuer": "letsencrypt-staging",
            });
            assert.equal(ingress(await runStack("dev", WEB, NO_DNS)).inputs.metadata.annotations["cert-manager.io/cluster-issuer"], undefined);
        });

        it("the program's Ingress transform adds the issuer to an Ingress whatever chart rendered it, keeping its annotations", () => {
            const rendered = { metadata: { name: "web", annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "8m" } }, spec: {} };
            assert.deepEqual(ingressProps(rendered, "letsencrypt-production").metadata.annotations, {
                "nginx.ingress.kubernetes.io/proxy-body-size": "8m", "pulumi.com/skipAwait": "true", "cert-manager.io/cluster-issuer": "letsencrypt-production",
            });
            assert.deepEqual(ingressProps(rendered).metadata.annotations, { "nginx.ingress.kubernetes.io/proxy-body-size": "8m", "pulumi.com/skipAwait": "true" });
        });
    });

    describe("validation", () => {
        it("refuses a host outside the zone, naming both", () => {
            assert.deepEqual(problems("prod", cfg("app", { ingress: { host: "shop.acme.test" } })), [
                "delivery:app.ingress.host: is shop.acme.test, outside delivery:dns.zone (acme.example): external-dns would not write its record and the DNS-01 challenge could not be answered",
            ]);
        });

        it("refuses DNS and TLS on a borrowed cluster, saying what to do", async () => {
            await rejects(runStack("staging", cfg("cluster", { provider: "stack", stack: "organization/delivery/dev" })),
                "delivery:dns: is not supported on cluster.provider stack", "e.g. delivery:dns = remove delivery:dns and delivery:tls");
        });

        it("refuses certificates nothing asks for, a zone id with create, and a controller in the app's namespace, all at once", () => {
            assert.deepEqual(problems("dev",
                cfg("app", { ingress: { tls: false } }),
                cfg("dns", { zoneId: "Z123", externalDns: { namespace: "storefront-dev" } }),
            ).sort(), [
                "delivery:dns.externalDns.namespace: is storefront-dev, the app's namespace: the controller gets a namespace of its own",
                "delivery:dns.zoneId: names an existing zone, but dns.create is true (the stack would create another): set dns.create: false to use it, or remove zoneId",
                "delivery:tls: is set but app.ingress.tls is false: nothing would ask for a certificate",
            ]);
        });

        it("refuses another cloud's zone keys, and reports an existing cluster once (not its zone keys too)", () => {
            assert.deepEqual(problems("prod", cfg("dns", { resourceGroup: "rg-dns", project: "acme-dns-123" })).sort(), [
                "delivery:dns.project: is only used on gcp (the zone is on the cluster's cloud, aws); remove it",
                "delivery:dns.resourceGroup: is only used on azure (the zone is on the cluster's cloud, aws); remove it",
            ]);
            const existing = problems("staging", cfg("cluster", { provider: "existing", context: "ctx" }),
                cfg("secrets", { stores: [{ provider: "aws", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/eso" }] }), cfg("dns", { create: false }));
            assert.equal(existing.length, 1, existing.join("\n"));
            assert.match(existing[0], /^delivery:dns: is not supported on cluster.provider existing/);
        });

        it("refuses a bad ACME choice, email, issuer name and chart version by their schema rules", () => {
            assert.deepEqual(problems("dev", cfg("tls", { acme: "prod", email: "platform", issuer: "Lets_Encrypt", certManager: { chartVersion: "latest" } })).sort(), [
                'delivery:tls.acme: must be one of staging, production; got "prod"',
                'delivery:tls.certManager.chartVersion: must be an exact chart version; got "latest"',
                'delivery:tls.email: must be an email address; got "platform"',
                'delivery:tls.issuer: must be a DNS label; got "Lets_Encrypt"',
            ]);
        });
    });
});

import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import { SHORT_NAMES } from "../../config/environment";
import { GcpStoreConfig } from "../../config/secrets";
import { StoreContext, StoreWiring } from "./context";

/** The workload identity member for a Kubernetes service account. */
export function workloadIdentityMember(project: string, namespace: string, ksa: string): string {
    return `serviceAccount:${project}.svc.id.goog[${namespace}/${ksa}]`;
}

/**
 * GCP Secret Manager through workload identity: a Google service account allowed to access only
 * this environment's secrets (IAM condition on the secret-name prefix), impersonable only by the
 * operator's Kubernetes service account.
 */
export function gcpStore(ctx: StoreContext, store: GcpStoreConfig): StoreWiring {
    const parent = { parent: ctx.parent };
    const project = store.project !== undefined ? pulumi.output(store.project) : ctx.identity.gcpProject;
    // The workload identity pool belongs to the cluster's project (the secrets' project on a cluster not built here).
    const clusterProject = pulumi.all([ctx.identity.gcpProject, project]).apply(([c, p]) => c || p);
    let email: pulumi.Output<string>;
    const dependsOn: pulumi.Resource[] = [];
    if (store.serviceAccountEmail !== undefined) {
        email = pulumi.output(store.serviceAccountEmail);
    } else {
        const gsa = new serviceaccount.Account(`${ctx.name}-${store.name}-gsa`, {
            project,
            accountId: `${ctx.app}-${SHORT_NAMES[ctx.environment]}-eso`.slice(0, 30),
            displayName: `External Secrets reader for ${ctx.app} in ${ctx.environment}`,
        }, parent);
        email = gsa.email;
        const projectNumber = organizations.getProjectOutput({ projectId: project }, parent).number;
        dependsOn.push(new projects.IAMMember(`${ctx.name}-${store.name}-accessor`, {
            project,
            role: "roles/secretmanager.secretAccessor",
            member: pulumi.interpolate`serviceAccount:${gsa.email}`,
            condition: {
                title: `${ctx.environment} secrets only`,
                description: `Secrets whose id starts with ${store.prefix}`,
                expression: pulumi.interpolate`resource.name.startsWith("projects/${projectNumber}/secrets/${store.prefix}")`,
            },
        }, parent));
        dependsOn.push(new serviceaccount.IAMMember(`${ctx.name}-${store.name}-wi`, {
            serviceAccountId: gsa.name,
            role: "roles/iam.workloadIdentityUser",
            member: clusterProject.apply((p) => workloadIdentityMember(p, ctx.namespace, ctx.serviceAccount)),
        }, parent));
    }
    return {
        provider: {
            gcpsm: {
                projectID: project,
                auth: {
                    workloadIdentity: {
                        clusterLocation: ctx.identity.location,
                        clusterName: ctx.clusterName,
                        clusterProjectID: clusterProject,
                        serviceAccountRef: { name: ctx.serviceAccount },
                    },
                },
            },
        },
        annotations: { "iam.gke.io/gcp-service-account": email },
        remoteKey: (key) => `${store.prefix}${key}`,
        dependsOn,
    };
}

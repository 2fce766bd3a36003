/**
 * One delivery stack's Pulumi Deployments setup: its deployment settings, its drift schedule and
 * (with a policy pack configured) the policy group that enforces the pack on it server-side.
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { StackDeploymentSpec } from "./derive";

export interface StackDeploymentArgs {
    /** Everything about the stack, derived by `deriveDeployments`. */
    readonly spec: StackDeploymentSpec;
}

export class StackDeployment extends pulumi.ComponentResource {
    readonly settings: service.DeploymentSettings;
    readonly driftSchedule?: service.DriftSchedule;
    readonly policyGroup?: service.PolicyGroup;

    constructor(name: string, args: StackDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:deployments:StackDeployment", name, {}, opts);
        const { spec } = args;
        const ids = { organization: spec.settings.organization, project: spec.settings.project, stack: spec.settings.stack };

        // The spec is readonly plain data; the SDK's args are mutable Inputs of the same shape.
        this.settings = new service.DeploymentSettings(`${name}-settings`, structuredClone(spec.settings) as service.DeploymentSettingsArgs, { parent: this });

        if (spec.drift) {
            // A drift run uses the stack's deployment settings, so it waits for them.
            this.driftSchedule = new service.DriftSchedule(`${name}-drift`, {
                ...ids,
                scheduleCron: spec.drift.scheduleCron,
                autoRemediate: spec.drift.autoRemediate,
            }, { parent: this, dependsOn: [this.settings] });
        }

        if (spec.policyGroup) {
            const g = spec.policyGroup;
            this.policyGroup = new service.PolicyGroup(`${name}-policy`, {
                name: g.name,
                organizationName: ids.organization,
                entityType: "stacks",
                mode: g.mode,
                stacks: [{ name: ids.stack, routingProject: ids.project }],
                policyPacks: [{ name: g.pack.name, versionTag: g.pack.versionTag, ...(g.pack.config ? { config: { ...g.pack.config } } : {}) }],
            }, { parent: this });
        }

        this.registerOutputs({ settings: this.settings, driftSchedule: this.driftSchedule, policyGroup: this.policyGroup });
    }
}

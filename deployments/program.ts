/**
 * The deployments program: config → the delivery stacks' files → derived settings → one
 * StackDeployment per stack → a summary of who deploys what.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigValidationError } from "../config/reader";
import { loadDeploymentsConfig } from "./config";
import { deriveDeployments } from "./derive";
import { MAIN_ROOT, readMainProject } from "./main-project";
import { StackDeployment } from "./stack-deployment";

export interface ProgramOptions {
    /** Where the delivery program's Pulumi.yaml lives. @default MAIN_ROOT */
    readonly root?: string;
    /** Receives warnings. @default pulumi.log.warn */
    readonly warn?: (message: string) => void;
}

export interface StackSummary {
    readonly environment: string;
    /** A merge to the branch runs `pulumi up` through Pulumi Deployments. */
    readonly pushToDeploy: boolean;
    readonly previewPullRequests: boolean;
    readonly reviewTemplate: boolean;
    readonly driftSchedule: string;
    readonly autoRemediate: boolean;
    readonly policyGroup: string;
}

export async function deployStacks(opts: ProgramOptions = {}): Promise<Record<string, unknown>> {
    const warn = opts.warn ?? ((m: string) => pulumi.log.warn(m));
    const cfg = loadDeploymentsConfig();
    const main = readMainProject(opts.root ?? MAIN_ROOT, Object.keys(cfg.stacks));
    let derived;
    try {
        derived = deriveDeployments(cfg, main, pulumi.getProject());
    } catch (e) {
        throw e instanceof ConfigValidationError ? new pulumi.RunError(e.message) : e;
    }
    derived.warnings.forEach(warn);

    const stacks: Record<string, StackSummary> = {};
    for (const spec of derived.specs) {
        new StackDeployment(spec.stack, { spec });
        stacks[spec.stack] = {
            environment: spec.environment,
            pushToDeploy: spec.settings.vcs.deployCommits,
            previewPullRequests: spec.settings.vcs.previewPullRequests,
            reviewTemplate: spec.settings.vcs.pullRequestTemplate,
            driftSchedule: spec.drift?.scheduleCron ?? "",
            autoRemediate: spec.drift?.autoRemediate ?? false,
            policyGroup: spec.policyGroup?.name ?? "",
        };
    }
    return { gitEvents: cfg.gitEvents, stacks };
}

/**
 * How every policy of the pack is built: one `resourcePolicy` / `stackPolicy` call per file with
 * its metadata (severity, topics, scope, what it blocks, remedy) and parameters with defaults.
 * The builders add what all policies share, so no policy repeats it:
 * - a type filter that answers `notApplicable` for other resource types;
 * - parameters: policy config (`args.getConfig()`) over the defaults declared here;
 * - the environment (see ./environment) and the production-only guard;
 * - messages that always end with a remedy.
 */
import {
    EnforcementLevel, PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
    Severity, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ENVIRONMENTS, Environment, resourceEnvironment, strictest } from "./environment";

/** `all`: every environment (at the level the stack's policy config gives); `production`: production only. */
export type Scope = "all" | "production";

/** Level of every policy when no policy config says otherwise: a missing config file is strict. */
export const DEFAULT_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export interface PolicyMetadata {
    /** What the policy is about (also sent as the policy's tags). */
    readonly topics: readonly string[];
    readonly scope: Scope;
    /** One line for the docs table: what this policy blocks. */
    readonly blocks: string;
    /** Resource types (tokens) it reads; `stack` policies list the types they look at. */
    readonly resourceTypes: readonly string[];
    /** Parameter defaults, by name. */
    readonly defaults: Readonly<Record<string, unknown>>;
}

export type DeliveryResourcePolicy = ResourceValidationPolicy & { readonly metadata: PolicyMetadata };
export type DeliveryStackPolicy = StackValidationPolicy & { readonly metadata: PolicyMetadata };
export type DeliveryPolicy = DeliveryResourcePolicy | DeliveryStackPolicy;

/** Every policy accepts `environment` in its config (the strictest environment signal wins). */
export const ENVIRONMENT_SCHEMA: PolicyConfigJSONSchema = {
    type: "string",
    enum: [...ENVIRONMENTS],
    description: "The stack's environment. Only makes rules stricter: a resource labelled production stays production.",
};

type ParamSpecs<P> = { readonly [K in keyof P]: PolicyConfigJSONSchema & { readonly default: P[K] } };

interface CommonSpec<P> {
    readonly name: string;
    readonly description: string;
    readonly severity: Severity;
    readonly topics: readonly string[];
    readonly scope: Scope;
    readonly blocks: string;
    /** The fix, in general terms; each violation may name a more specific one. */
    readonly remedy: string;
    readonly params?: ParamSpecs<P>;
}

/** Reports one violation: what is wrong, then how to fix it. */
export type Report = (problem: string, remedy?: string) => void;

export interface ResourceCheck<P> {
    readonly args: ResourceValidationArgs;
    /** The resource's inputs (unknown-checking proxy). */
    readonly props: any;
    readonly type: string;
    readonly name: string;
    readonly environment: Environment;
    readonly config: P & { readonly environment?: Environment };
    readonly report: Report;
}

export interface ResourcePolicySpec<P> extends CommonSpec<P> {
    /** Resource types the policy applies to: tokens, or a test for tokens with versions in them. */
    readonly resourceTypes: readonly string[];
    readonly appliesTo?: (type: string) => boolean;
    readonly validate: (check: ResourceCheck<P>) => void;
}

export interface StackCheck<P> {
    readonly args: StackValidationArgs;
    readonly resources: readonly PolicyResource[];
    readonly environment: Environment;
    readonly config: P & { readonly environment?: Environment };
    /** Reports against one resource (its URN), or the stack when `resource` is omitted. */
    readonly report: (problem: string, resource?: PolicyResource, remedy?: string) => void;
}

export interface StackPolicySpec<P> extends CommonSpec<P> {
    /** Resource types the policy looks at (documentation and the meta-test). */
    readonly resourceTypes: readonly string[];
    readonly validate: (check: StackCheck<P>) => void;
}

function schemaOf<P>(params: ParamSpecs<P> | undefined): PolicyConfigSchema {
    const properties: Record<string, PolicyConfigJSONSchema> = { environment: ENVIRONMENT_SCHEMA };
    for (const [k, v] of Object.entries(params ?? {}) as [string, PolicyConfigJSONSchema][]) {
        properties[k] = v;
    }
    return { properties };
}

function defaultsOf<P>(params: ParamSpecs<P> | undefined): Record<string, unknown> {
    return Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, (v as { default: unknown }).default]));
}

function configOf<P>(getConfig: () => object, defaults: Record<string, unknown>): P & { environment?: Environment } {
    const given = Object.fromEntries(Object.entries(getConfig() ?? {}).filter(([, v]) => v !== undefined && v !== null));
    return { ...defaults, ...given } as P & { environment?: Environment };
}

function withRemedy(problem: string, remedy: string): string {
    const p = problem.trim().replace(/[.;:]$/, "");
    return `${p}. Remedy: ${remedy.trim().replace(/\.$/, "")}.`;
}

function metadataOf<P>(spec: CommonSpec<P> & { resourceTypes: readonly string[] }): PolicyMetadata {
    return { topics: spec.topics, scope: spec.scope, blocks: spec.blocks, resourceTypes: spec.resourceTypes, defaults: defaultsOf(spec.params) };
}

function common<P>(spec: CommonSpec<P>) {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: DEFAULT_ENFORCEMENT_LEVEL,
        severity: spec.severity,
        tags: [...spec.topics, spec.scope === "production" ? "production-only" : "all-environments"],
        remediationSteps: spec.remedy,
        configSchema: schemaOf(spec.params),
    };
}

/** A policy that validates one resource at a time (runs as each resource is registered). */
export function resourcePolicy<P extends object = {}>(spec: ResourcePolicySpec<P>): DeliveryResourcePolicy {
    const defaults = defaultsOf(spec.params);
    const applies = spec.appliesTo ?? ((t: string) => spec.resourceTypes.includes(t));
    // Answered for most resources of every preview: built once, not per resource.
    const otherType = `${spec.name} applies to ${spec.resourceTypes.join(", ")}`;
    return {
        ...common(spec),
        metadata: metadataOf(spec),
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            if (!applies(args.type)) {
                return args.notApplicable(otherType);
            }
            const config = configOf<P>(() => args.getConfig<object>(), defaults);
            const environment = resourceEnvironment(args.urn, args.props, config.environment) ?? "production";
            if (spec.scope === "production" && environment !== "production") {
                return args.notApplicable(`${spec.name} applies to production only; ${args.name} is ${environment}`);
            }
            spec.validate({
                args, props: args.props, type: args.type, name: args.name, environment, config,
                report: (problem, remedy) => reportViolation(withRemedy(problem, remedy ?? spec.remedy)),
            });
        },
    };
}

/** The environment of a whole stack: the strictest signal of any of its resources or the config. */
export function stackEnvironment(resources: readonly PolicyResource[], configured?: string): Environment {
    return strictest([
        ...resources.map((r) => resourceEnvironment(r.urn, r.props)),
        configured !== undefined ? resourceEnvironment("", {}, configured) : undefined,
    ]) ?? "production";
}

/** A policy over the whole stack (runs once, after every resource is known). */
export function stackPolicy<P extends object = {}>(spec: StackPolicySpec<P>): DeliveryStackPolicy {
    const defaults = defaultsOf(spec.params);
    return {
        ...common(spec),
        metadata: metadataOf(spec),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const config = configOf<P>(() => args.getConfig<object>(), defaults);
            const environment = stackEnvironment(args.resources, config.environment);
            if (spec.scope === "production" && environment !== "production") {
                return args.notApplicable(`${spec.name} applies to production only; this stack is ${environment}`);
            }
            spec.validate({
                args, resources: args.resources, environment, config,
                report: (problem, resource, remedy) => reportViolation(withRemedy(problem, remedy ?? spec.remedy), resource?.urn),
            });
        },
    };
}

export function isStackPolicy(p: DeliveryPolicy): p is DeliveryStackPolicy {
    return typeof (p as DeliveryStackPolicy).validateStack === "function";
}

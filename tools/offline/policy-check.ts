/**
 * Runs the policy pack offline: the pack's own policy objects (policy/pack.ts, never a copy of the
 * rules) against what an offline evaluation registered, with the argument shapes the Pulumi
 * analyzer builds (`ResourceValidationArgs`, `StackValidationArgs`, inputs wrapped in
 * `unknownCheckingProxy`) and the stack's enforcement levels from policy/config/<stack>.json
 * (see ./policy-config). Importing this never starts the analyzer's server: policy/index.ts is
 * only for the Pulumi CLI.
 */
import {
    EnforcementLevel, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, Severity, StackValidationArgs, UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_ENFORCEMENT_LEVEL, DeliveryPolicy, isStackPolicy } from "../../policy/lib/define";
import { HELM_CHART_V4 } from "../../policy/lib/types";
import { PACK_NAME, PACK_VERSION, policies as PACK_POLICIES } from "../../policy/pack";
import { PolicyConfigEntry, ReconciledConfig, loadPolicyConfig, policyConfigFile } from "./policy-config";
import { ROOT } from "./stackfile";

export * from "./policy-config";

// The pack's process hands every policy the same read-only inputs of a resource
// (policy/shared-inputs.js); so do the offline check and the policy specs, so a policy that
// changes its inputs fails here too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readOnly } = require("../../policy/shared-inputs") as { readOnly: <T>(value: T, at: string[], views: WeakMap<object, object>) => T };
const VIEWS = new WeakMap<object, object>();
const shared = <T>(inputs: T): T => readOnly(inputs, [], VIEWS);

// Arguments -----------------------------------------------------------------------------------

/** What a policy needs to know about one resource: what the offline evaluation records. */
export interface CheckResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly protect?: boolean;
    /** Parent URN ("" or absent for none). */
    readonly parent?: string;
    /** Provider reference `<urn>::<id>` ("" or absent for the default provider). */
    readonly provider?: string;
    /** A read resource (a StackReference): the engine analyzes registered resources only. */
    readonly read?: boolean;
    /** URNs it waits for (dependsOn and input dependencies), as the engine gives them to stack policies. */
    readonly dependencies?: readonly string[];
}

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "policy does not apply");
    }
}

function notApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

function pulumiTypeOf(cls: unknown): string | undefined {
    const t = (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t !== "" ? t : undefined;
}

/** Same test as the analyzer: the class's Pulumi type token, or its `isInstance`. */
function isTypeOf(type: string, cls: unknown): boolean {
    const token = pulumiTypeOf(cls);
    if (token) {
        return type === token;
    }
    const isInstance = (cls as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(r: CheckResource): PolicyResourceOptions {
    return {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

/** `ResourceValidationArgs` exactly as the analyzer builds them for one resource. */
export function resourceValidationArgs(r: CheckResource, config: Readonly<Record<string, unknown>> = {}, all: readonly CheckResource[] = []): ResourceValidationArgs {
    const props = unknownCheckingProxy(shared(r.inputs));
    const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        stackTags: EMPTY_TAGS,
        isType: (cls) => isTypeOf(r.type, cls),
        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({ ...config }) as T,
        notApplicable,
    };
    const providerUrn = r.provider ? r.provider.split("::").slice(0, -1).join("::") : "";
    const provider = providerUrn ? all.find((x) => x.urn === providerUrn) : undefined;
    if (provider) {
        args.provider = { type: provider.type, props: unknownCheckingProxy(shared(provider.inputs)), urn: provider.urn, name: provider.name };
    }
    return args;
}

/** The `resources` of `StackValidationArgs`, parents linked as the analyzer links them. */
export function policyResources(resources: readonly CheckResource[]): PolicyResource[] {
    const out = resources.map((r): PolicyResource => {
        const props = unknownCheckingProxy(shared(r.inputs));
        return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
    });
    const byUrn = new Map(out.map((p) => [p.urn, p]));
    resources.forEach((r, i) => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) {
            out[i].parent = parent;
        }
        (out[i] as { dependencies: PolicyResource[] }).dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
    });
    return out;
}

export function stackValidationArgs(resources: readonly CheckResource[], config: Readonly<Record<string, unknown>> = {}): StackValidationArgs {
    return { resources: policyResources(resources), getConfig: <T extends object>() => ({ ...config }) as T, stackTags: EMPTY_TAGS, notApplicable };
}

// Running -------------------------------------------------------------------------------------

/** The outcome of one policy on one resource (or on the stack). */
export interface PolicyOutcome {
    /** Messages passed to reportViolation, with the URN a stack policy named. */
    readonly violations: readonly { readonly message: string; readonly urn?: string }[];
    /** Set when the policy said it does not apply. */
    readonly notApplicable?: string;
    /** Set when the policy touched a value unknown during preview (reported as advisory). */
    readonly unknown?: string;
}

async function run(fn: (report: (message: string, urn?: string) => void) => unknown): Promise<PolicyOutcome> {
    const violations: { message: string; urn?: string }[] = [];
    try {
        await Promise.resolve(fn((message, urn) => violations.push(urn ? { message, urn } : { message })));
    } catch (e) {
        if (e instanceof NotApplicableError) {
            return { violations, notApplicable: e.reason ?? "" };
        }
        if (e instanceof UnknownValueError) {
            return { violations, unknown: (e as Error).message };
        }
        throw e;
    }
    return { violations };
}

/** Runs one resource policy on one resource, as the analyzer does. */
export async function runResourcePolicy(
    policy: DeliveryPolicy, resource: CheckResource, config: Readonly<Record<string, unknown>> = {}, all: readonly CheckResource[] = [resource],
): Promise<PolicyOutcome> {
    if (isStackPolicy(policy) || !policy.validateResource) {
        throw new Error(`${policy.name} is not a resource policy`);
    }
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    const outcomes: PolicyOutcome[] = [];
    for (const validate of validations) {
        outcomes.push(await run((report) => validate(resourceValidationArgs(resource, config, all), report)));
    }
    return {
        violations: outcomes.flatMap((o) => o.violations),
        notApplicable: outcomes.find((o) => o.notApplicable !== undefined)?.notApplicable,
        unknown: outcomes.find((o) => o.unknown !== undefined)?.unknown,
    };
}

/** Runs one stack policy on a set of resources, as the analyzer does at the end of a preview. */
export async function runStackPolicy(
    policy: DeliveryPolicy, resources: readonly CheckResource[], config: Readonly<Record<string, unknown>> = {},
): Promise<PolicyOutcome> {
    if (!isStackPolicy(policy)) {
        throw new Error(`${policy.name} is not a stack policy`);
    }
    return run((report) => policy.validateStack(stackValidationArgs(resources, config), report));
}

export type ReportedLevel = "mandatory" | "advisory";

export interface Violation {
    readonly policy: string;
    readonly level: ReportedLevel;
    readonly severity?: Severity;
    /** The resource the violation is about ("" for the stack as a whole). */
    readonly resourceType: string;
    readonly resourceName: string;
    readonly urn: string;
    readonly message: string;
}

export interface PolicyCheckResult {
    readonly pack: { readonly name: string; readonly version: string };
    /** The policy config file used, or undefined for the pack's defaults. */
    readonly configFile?: string;
    readonly levels: Readonly<Record<string, EnforcementLevel>>;
    readonly violations: readonly Violation[];
}

/**
 * Runs every policy at its level: resource policies on each resource in registration order, then
 * stack policies on the whole set. `remediate` counts as mandatory (the pack has no remediations).
 */
export async function runPolicies(
    resources: readonly CheckResource[], config: ReconciledConfig, policies: readonly DeliveryPolicy[] = PACK_POLICIES,
): Promise<Violation[]> {
    const violations: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const push = (p: DeliveryPolicy, level: ReportedLevel, r: CheckResource | undefined, message: string) =>
        violations.push({ policy: p.name, level, severity: p.severity, resourceType: r?.type ?? "", resourceName: r?.name ?? "", urn: r?.urn ?? "", message });
    const cantRun = (p: DeliveryPolicy, unknown: string) =>
        `can't run policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${unknown}`;
    const active = policies
        .map((p) => ({ p, entry: config[p.name] ?? { enforcementLevel: p.enforcementLevel ?? DEFAULT_ENFORCEMENT_LEVEL, properties: {} } }))
        .filter(({ entry }) => entry.enforcementLevel !== "disabled");
    const levelOf = (e: PolicyConfigEntry): ReportedLevel => (e.enforcementLevel === "advisory" ? "advisory" : "mandatory");

    for (const r of resources) {
        for (const { p, entry } of active.filter(({ p }) => !isStackPolicy(p))) {
            const out = await runResourcePolicy(p, r, entry.properties, resources);
            out.violations.forEach((v) => push(p, levelOf(entry), r, v.message));
            if (out.unknown) {
                push(p, "advisory", r, cantRun(p, out.unknown));
            }
        }
    }
    for (const { p, entry } of active.filter(({ p }) => isStackPolicy(p))) {
        const out = await runStackPolicy(p, resources, entry.properties);
        out.violations.forEach((v) => push(p, levelOf(entry), v.urn ? byUrn.get(v.urn) : undefined, v.message));
        if (out.unknown) {
            push(p, "advisory", undefined, cantRun(p, out.unknown));
        }
    }
    return violations;
}

export interface CheckOptions {
    /** Stack name: picks policy/config/<stack>.json when `configFile` is not given. */
    readonly stack: string;
    /** An explicit policy config file; `null` runs with the pack's defaults. */
    readonly configFile?: string | null;
}

/** The policy config file a check uses: explicit, else the stack's own if it exists. */
export function resolveConfigFile(opts: CheckOptions): string | undefined {
    if (opts.configFile === null) {
        return undefined;
    }
    if (opts.configFile !== undefined) {
        return path.resolve(opts.configFile);
    }
    const own = policyConfigFile(opts.stack);
    return fs.existsSync(own) ? own : undefined;
}

/** Runs the whole pack on an evaluation's resources at the stack's enforcement levels. */
export async function checkPolicies(resources: readonly CheckResource[], opts: CheckOptions): Promise<PolicyCheckResult> {
    const configFile = resolveConfigFile(opts);
    const config = loadPolicyConfig(configFile);
    // As in the engine (checked end to end in tests/e2e): neither Analyze nor AnalyzeStack is
    // given read resources, so StackReferences are invisible to the pack.
    // A remote component (helm.v4.Chart) reaches the analyzer without its inputs (checked on the
    // real engine in tests/e2e), so the pack sees the same here.
    const shown = resources.filter((r) => !r.read).map((r) => (r.type === HELM_CHART_V4 ? { ...r, inputs: {} } : r));
    const violations = await runPolicies(shown, config);
    return {
        pack: { name: PACK_NAME, version: PACK_VERSION },
        configFile,
        levels: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.enforcementLevel])),
        violations,
    };
}

export function mandatoryViolations(result: PolicyCheckResult): Violation[] {
    return result.violations.filter((v) => v.level === "mandatory");
}

/** The report the plan prints: violations grouped by level, each with its resource and remedy. */
export function renderPolicyReport(result: PolicyCheckResult): string {
    const levels = Object.values(result.levels);
    const counts = (["mandatory", "advisory", "remediate", "disabled"] as const)
        .map((l) => [l, levels.filter((x) => x === l).length] as const).filter(([, n]) => n > 0);
    const config = result.configFile ? path.relative(ROOT, result.configFile) : "none (every policy at its default level, mandatory)";
    const lines = [
        `Policy pack ${result.pack.name} ${result.pack.version}: ${levels.length} policies (${counts.map(([l, n]) => `${n} ${l}`).join(", ")}); config ${config}`,
    ];
    if (result.violations.length === 0) {
        lines.push("  No policy violations.");
        return lines.join("\n");
    }
    for (const level of ["mandatory", "advisory"] as const) {
        const vs = result.violations.filter((v) => v.level === level);
        if (vs.length === 0) {
            continue;
        }
        lines.push("", level === "mandatory" ? `Mandatory violations (${vs.length}) — these block the deployment:` : `Advisory violations (${vs.length}):`);
        for (const v of vs) {
            const where = v.resourceType ? `${v.resourceType}  ${v.resourceName}` : "(stack)";
            lines.push(`  [${v.policy}] ${where}`, `      ${v.message}`);
        }
    }
    return lines.join("\n");
}

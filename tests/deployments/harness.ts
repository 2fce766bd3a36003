/**
 * Helpers for the deployments project's tests: its real Pulumi.deployments.yaml and the real
 * delivery stack files, each changed in one place per test, and a run of the program under
 * Pulumi's mock runtime that records what it registers.
 *
 * The mock runtime is global. Each run sets its own mocks and config (as the main program's
 * offline evaluator does for every evaluation), so test files can run in any order, one at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DeploymentsConfig, parseDeploymentsConfig } from "../../deployments/config";
import { MainProject, mainStackFromConfig, readMainProject } from "../../deployments/main-project";
import { deployStacks } from "../../deployments/program";
import { ConfigMap, mergeConfig, readConfigFile, toProgramConfig } from "../../tools/offline/stackfile";
import { plain } from "../../tools/offline/evaluate";

export const ROOT = path.resolve(__dirname, "..", "..");
export const DEPLOYMENTS_DIR = path.join(ROOT, "deployments");
export const PROJECT = (parseYaml(fs.readFileSync(path.join(DEPLOYMENTS_DIR, "Pulumi.yaml"), "utf8")) as { name: string }).name;
export const STACK = "deployments";
export const ORGANIZATION = "acme";

/** `{ "delivery-deployments:stacks": { prod: { … } } }` from `dcfg("stacks", { prod: { … } })`. */
export function dcfg(key: string, value: unknown): ConfigMap {
    return { [`${PROJECT}:${key}`]: value };
}

/** The shipped Pulumi.deployments.yaml with overrides merged in (null deletes a key). */
export function deploymentsConfigMap(...overrides: ConfigMap[]): ConfigMap {
    return overrides.reduce((acc, o) => mergeConfig(acc, o), readConfigFile(path.join(DEPLOYMENTS_DIR, `Pulumi.${STACK}.yaml`)));
}

/** The validated deployments config (throws ConfigValidationError like the program). */
export function deploymentsConfig(...overrides: ConfigMap[]): DeploymentsConfig {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(deploymentsConfigMap(...overrides))) {
        if (k.startsWith(`${PROJECT}:`)) {
            values[k.slice(PROJECT.length + 1)] = v;
        }
    }
    return parseDeploymentsConfig({ project: PROJECT, stack: STACK, values, defaultOrganization: ORGANIZATION });
}

/**
 * The delivery project as the deployments program reads it, from the real stack files, with
 * per-stack overrides (`{ prod: { "delivery:cluster": { … } } }`) and policy configs.
 */
export function mainProject(
    stacks: readonly string[] = ["dev", "staging", "prod"],
    overrides: Readonly<Record<string, ConfigMap>> = {},
    policyConfigs: Readonly<Record<string, Record<string, unknown>>> = {},
): MainProject {
    const real = readMainProject(ROOT, stacks);
    const out: MainProject["stacks"] = Object.fromEntries(stacks.map((name) => {
        const file = path.join(ROOT, `Pulumi.${name}.yaml`);
        if (!overrides[name]) {
            return [name, real.stacks[name]];
        }
        const base = fs.existsSync(file) ? readConfigFile(file) : {};
        return [name, mainStackFromConfig(real.name, name, mergeConfig(base, overrides[name]))];
    }));
    return { name: real.name, stacks: out, policyConfigs: { ...real.policyConfigs, ...policyConfigs } };
}

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly parent: string;
    readonly custom: boolean;
    readonly dependencies: readonly string[];
    readonly inputs: Record<string, any>;
}

export interface Run {
    readonly resources: readonly Registered[];
    readonly outputs: Record<string, any>;
    readonly warnings: readonly string[];
}

/** Lets pending registrations finish: done when nothing new arrived for a few turns. */
async function settle(count: () => number): Promise<void> {
    let last = -1;
    let quiet = 0;
    while (quiet < 5) {
        await new Promise((r) => setTimeout(r, 2));
        const now = count();
        quiet = now === last ? quiet + 1 : 0;
        last = now;
    }
}

/** Runs the deployments program under mocks with the shipped config plus overrides. */
export async function runDeployments(...overrides: ConfigMap[]): Promise<Run> {
    const resources: Registered[] = [];
    const warnings: string[] = [];
    await pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: () => ({}),
    }, PROJECT, STACK, false, ORGANIZATION);
    const program = toProgramConfig(PROJECT, {}, deploymentsConfigMap(...overrides));
    pulumi.runtime.setAllConfig(program.values, program.secretKeys);

    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any };
    const monitor = settings.getMonitor();
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) =>
        original(req, (err: any, res: any) => {
            if (!err) {
                resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    dependencies: req.getDependenciesList(),
                    inputs: plain(pulumi.runtime.deserializeProperties(req.getObject())),
                });
            }
            callback(err, res);
        });

    const raw = await deployStacks({ warn: (m) => warnings.push(m) });
    const outputs: Record<string, any> = {};
    for (const [k, v] of Object.entries(raw)) {
        outputs[k] = await (pulumi.output(v) as any).promise();
    }
    await settle(() => resources.length);
    return { resources, outputs, warnings };
}

/** Leaves the runtime without this project's config for whoever sets mocks next. */
export function resetRuntime(): void {
    pulumi.runtime.setAllConfig({}, []);
}

export function ofType(run: Run, type: string): Registered[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: Run, type: string, name: string): Registered {
    const found = ofType(run, type).filter((r) => r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${ofType(run, type).map((r) => r.name).join(", ") || "none"}`);
    }
    return found[0];
}

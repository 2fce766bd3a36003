/**
 * Test helpers over the offline evaluator (the same code as `npm run plan`): run a shipped stack
 * with its real Pulumi.<stack>.yaml plus overrides, then query what it registered.
 */
import { strict as assert } from "assert";
import { ChainResult, earlier, evaluateChain, soakOf } from "../tools/offline/chain";
import { readProject } from "../tools/offline/stackfile";
import { Evaluation, RegisteredResource, stackConfig } from "../tools/offline/evaluate";
import { ConfigMap } from "../tools/offline/stackfile";
import { UpstreamOutputs } from "../tools/offline/mocks";

export { ConfigMap, Evaluation, RegisteredResource, stackConfig };

/** Evaluates a shipped stack (with overrides) after the stacks it references. */
export async function runStack(stack: string, ...overrides: ConfigMap[]): Promise<Evaluation> {
    return (await runChain(stack, overrides)).target;
}

export async function runChain(stack: string, overrides: ConfigMap[] = [], upstream: UpstreamOutputs = {}): Promise<ChainResult> {
    return evaluateChain(stack, stackConfig(stack, ...overrides), upstream);
}

/**
 * Runs `f` (an upstream's evaluation) as long ago as `downstream`'s shipped soak asks, a minute
 * more: the release it records may then move to `downstream` (shipped prod soaks 2h).
 */
export async function soakedFor<T>(downstream: string, f: () => Promise<T>): Promise<T> {
    const soak = soakOf(stackConfig(downstream), readProject().name);
    return earlier(soak > 0 ? soak + 60 : 0, f);
}

export function ofType(ev: Evaluation, type: string): RegisteredResource[] {
    return ev.resources.filter((r) => r.type === type);
}

/** The single resource of a type (optionally whose name ends with `suffix`). */
export function one(ev: Evaluation, type: string, suffix = ""): RegisteredResource {
    const found = ofType(ev, type).filter((r) => r.name.endsWith(suffix));
    assert.equal(found.length, 1, `expected one ${type}${suffix ? ` named *${suffix}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
}

/**
 * The app's serving Helm release: `<app>-chart`, or with blue-green colours the one the app's
 * active Service selects (`<app>-blue-chart`).
 */
export function appChart(ev: Evaluation, app = "storefront"): RegisteredResource {
    const router = ofType(ev, "kubernetes:core/v1:Service").find((r) => r.name === `${app}-active`);
    const colour = router?.inputs.spec?.selector?.["delivery.example.com/colour"];
    return one(ev, "kubernetes:helm.sh/v4:Chart", colour ? `${app}-${colour}-chart` : `${app}-chart`);
}

/** Asserts the promise rejects with a message containing every fragment; returns the message. */
export async function rejects(p: Promise<unknown>, ...fragments: string[]): Promise<string> {
    let message: string | undefined;
    try {
        await p;
    } catch (e) {
        message = e instanceof Error ? e.message : String(e);
    }
    assert.ok(message !== undefined, `expected an error mentioning: ${fragments.join(" | ")}`);
    for (const f of fragments) {
        assert.ok(message!.includes(f), `error does not mention "${f}":\n${message}`);
    }
    return message!;
}

/** `{ "delivery:app": { replicas: 1 } }` from `cfg("app", { replicas: 1 })`. */
export function cfg(key: string, value: unknown): ConfigMap {
    return { [`delivery:${key}`]: value };
}

/**
 * Removes the shipped stacks' delivery:dns and delivery:tls, which the program refuses on an
 * existing or borrowed cluster (cases that switch a shipped stack to one start from this).
 */
export const NO_DNS: ConfigMap = { "delivery:dns": null, "delivery:tls": null };

/** An evaluation's outputs in the shape a StackReference to that stack returns. */
export function asUpstream(ev: Evaluation): Record<string, unknown> {
    return { ...ev.outputs, __secretOutputNames: ev.secretOutputNames };
}

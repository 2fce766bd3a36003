/**
 * Which environment a resource belongs to, from every signal available to a policy; the
 * strictest signal wins, so a missing or wrong policy config can never make production look like
 * development:
 *   1. the policy's own config (`environment`, set per policy in policy/config/<stack>.json);
 *   2. the stack name inside the resource's URN (`urn:pulumi:<stack>::…`), read like the program
 *      reads it (`prod`, `acme/delivery/prod`, `prod-eu`);
 *   3. what the resource says about itself: the `delivery.example.com/environment` label, an
 *      `environment` tag (AWS/Azure) or label (GCP), a Helm release's `values.environment`, the
 *      release record's `data.environment`.
 * When nothing names an environment, policies treat the resource as production (fail closed).
 *
 * Kept inside the pack (not imported from ../config) so the pack stays a self-contained
 * directory that `pulumi policy publish` can ship.
 */
import { peek, stringMap } from "./props";

export type Environment = "development" | "staging" | "production";
export const ENVIRONMENTS: readonly Environment[] = ["development", "staging", "production"];

/** Label the program puts on every Kubernetes object. */
export const ENVIRONMENT_LABEL = "delivery.example.com/environment";

const ALIASES: Readonly<Record<string, Environment>> = {
    dev: "development",
    development: "development",
    stage: "staging",
    staging: "staging",
    prod: "production",
    production: "production",
};

const RANK: Readonly<Record<Environment, number>> = { development: 0, staging: 1, production: 2 };

export function environmentFromAlias(value: string): Environment | undefined {
    return ALIASES[value.trim().toLowerCase()];
}

/** `dev`, `acme/delivery/prod`, `prod-eu`: the last path segment, then its first word. */
export function environmentFromStackName(stack: string): Environment | undefined {
    const last = stack.split("/").pop() ?? stack;
    return environmentFromAlias(last) ?? environmentFromAlias(last.split(/[-_.]/)[0]);
}

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : undefined;
}

/** The strictest of the given environments (production > staging > development). */
export function strictest(envs: readonly (Environment | undefined)[]): Environment | undefined {
    let best: Environment | undefined;
    for (const e of envs) {
        if (e !== undefined && (best === undefined || RANK[e] > RANK[best])) {
            best = e;
        }
    }
    return best;
}

export function isWeaker(a: Environment, than: Environment): boolean {
    return RANK[a] < RANK[than];
}

function alias(value: unknown): Environment | undefined {
    return typeof value === "string" ? environmentFromAlias(value) : undefined;
}

/** Environments a resource declares about itself (labels, tags, Helm values, release record). */
export function declaredEnvironments(props: unknown): Environment[] {
    const found = [
        stringMap(props, "metadata", "labels")[ENVIRONMENT_LABEL],
        stringMap(props, "tags").environment,
        stringMap(props, "tags").Environment,
        stringMap(props, "resourceLabels").environment,
        stringMap(props, "labels").environment,
        peek(props, "values", "environment"),
    ].map(alias);
    const labels = stringMap(props, "metadata", "labels");
    if (labels["delivery.example.com/record"] === "promotion") {
        found.push(alias(peek(props, "data", "environment")));
    }
    return found.filter((e): e is Environment => e !== undefined);
}

/** Every signal for one resource; `undefined` only when none names an environment. */
export function resourceEnvironment(urn: string, props: unknown, configured?: string): Environment | undefined {
    const stack = stackOfUrn(urn);
    return strictest([
        configured !== undefined ? alias(configured) : undefined,
        stack !== undefined ? environmentFromStackName(stack) : undefined,
        ...declaredEnvironments(props),
    ]);
}

/**
 * Environments and the promotion order between them.
 *
 * A stack's environment comes from its name (with aliases) or from the explicit
 * `delivery:environment` key; everything else about an environment lives in its stack file.
 */

export type Environment = "development" | "staging" | "production";

export const ENVIRONMENTS: readonly Environment[] = ["development", "staging", "production"];

/** Stack-name aliases, lower-case. */
const ALIASES: Readonly<Record<string, Environment>> = {
    dev: "development",
    development: "development",
    stage: "staging",
    staging: "staging",
    prod: "production",
    production: "production",
};

/** Short names used in resource names and labels. */
export const SHORT_NAMES: Readonly<Record<Environment, string>> = {
    development: "dev",
    staging: "staging",
    production: "prod",
};

/** Which environment a release may be promoted from: dev → staging → prod, nothing else. */
export const UPSTREAM: Readonly<Record<Environment, Environment | undefined>> = {
    development: undefined,
    staging: "development",
    production: "staging",
};

/** Strictness: production > staging > development. */
export const RANK: Readonly<Record<Environment, number>> = { development: 0, staging: 1, production: 2 };

/** The environment that an alias names, or undefined. */
export function environmentFromAlias(name: string): Environment | undefined {
    return ALIASES[name.trim().toLowerCase()];
}

/**
 * The environment a stack name implies: `dev`, `acme/delivery/prod` and `prod-eu` all count
 * (the last path segment, then its first dash-separated word).
 */
export function environmentFromStackName(stack: string): Environment | undefined {
    const last = stack.split("/").pop() ?? stack;
    return environmentFromAlias(last) ?? environmentFromAlias(last.split(/[-_.]/)[0]);
}

export function isEnvironment(value: unknown): value is Environment {
    return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

import { resourcePolicy } from "../lib/define";
import { ENVIRONMENT_LABEL, environmentFromAlias } from "../lib/environment";
import { list, peek, stringMap } from "../lib/props";
import { isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, podLabelsOf, podSpecOf } from "../lib/workloads";

export interface Params {
    readonly environmentVariables: string[];
}

/** Environment names that are not an alias of an environment but never mean production. */
const NEVER_PRODUCTION = ["test", "testing", "local", "qa", "sandbox"];

function lessThanProduction(value: unknown): boolean {
    if (typeof value !== "string") {
        return false;
    }
    const env = environmentFromAlias(value);
    return env !== undefined ? env !== "production" : NEVER_PRODUCTION.includes(value.trim().toLowerCase());
}

/**
 * A production workload says it is production: the environment label the program sets and the
 * variables apps read their environment from (APP_ENVIRONMENT for the bundled chart, NODE_ENV,
 * RAILS_ENV…) never name development, staging or a test environment — an app told it runs in
 * development may turn on debug endpoints, test payment keys or verbose errors.
 */
export const workloadEnvironmentProduction = resourcePolicy<Params>({
    name: "workload-environment-production",
    description: "Production workloads are labelled and configured as production: no environment label or environment variable names a less strict environment.",
    severity: "high",
    topics: ["workloads", "configuration"],
    scope: "production",
    blocks: "production workloads whose environment label or environment variable (APP_ENVIRONMENT, NODE_ENV, RAILS_ENV…) names development, staging or a test environment",
    remedy: "remove environment (and env vars naming the environment) from delivery:values and delivery:valuesFiles: the program sets the environment from the stack",
    resourceTypes: WORKLOAD_TYPES,
    appliesTo: isWorkload,
    params: {
        environmentVariables: {
            type: "array", items: { type: "string" },
            default: ["APP_ENVIRONMENT", "APP_ENV", "ENVIRONMENT", "ENV", "NODE_ENV", "RAILS_ENV", "RACK_ENV", "FLASK_ENV", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "SPRING_PROFILES_ACTIVE"],
            description: "Environment variables whose value names the environment the app runs in.",
        },
    },
    validate: ({ type, name, props, config, report }) => {
        const labels = [["", stringMap(props, "metadata", "labels")], ["pod ", podLabelsOf(type, props)]] as const;
        for (const [where, l] of labels) {
            if (lessThanProduction(l[ENVIRONMENT_LABEL])) {
                report(`${describeWorkload(type, name)} has the ${where}label ${ENVIRONMENT_LABEL}: ${l[ENVIRONMENT_LABEL]} in production`);
            }
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            for (const e of list(c.spec, "env")) {
                const n = peek(e, "name");
                const v = peek(e, "value");
                if (typeof n === "string" && config.environmentVariables.includes(n) && lessThanProduction(v)) {
                    report(`${describeWorkload(type, name)} ${c.label} sets ${n}=${String(v)} in production`);
                }
            }
        }
    },
});

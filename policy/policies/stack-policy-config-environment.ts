import { stackPolicy } from "../lib/define";
import { Environment, environmentFromAlias, isWeaker, resourceEnvironment, strictest } from "../lib/environment";

/**
 * The guard behind per-environment enforcement. Each shipped config file names its environment
 * here and keeps this policy mandatory, so previewing production with dev.json or staging.json
 * (which make everything else advisory) still fails.
 */
export const stackPolicyConfigEnvironment = stackPolicy({
    name: "stack-policy-config-environment",
    description: "The policy config used for a preview is the one for the stack's environment: a config written for development or staging cannot be used to review production.",
    severity: "critical",
    topics: ["policy", "promotion"],
    scope: "all",
    blocks: "reviewing a stack with the policy config of a less strict environment (e.g. dev.json on prod)",
    remedy: "run the pack with the stack's own config: --policy-pack-config policy/config/<stack>.json",
    resourceTypes: [],
    validate: ({ args, resources, config, report }) => {
        const configured = config.environment !== undefined ? environmentFromAlias(config.environment) : undefined;
        if (configured === undefined) {
            return args.notApplicable("the policy config names no environment");
        }
        const actual: Environment | undefined = strictest(resources.map((r) => resourceEnvironment(r.urn, r.props)));
        if (actual !== undefined && isWeaker(configured, actual)) {
            const example = resources.find((r) => resourceEnvironment(r.urn, r.props) === actual);
            report(`The policy config is for ${configured}, but this stack's resources are ${actual} (e.g. ${example?.name ?? "the stack"}); its advisory levels must not apply here`, example);
        }
    },
});

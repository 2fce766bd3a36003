import { resourcePolicy } from "../lib/define";
import { environmentFromStackName } from "../lib/environment";
import { read } from "../lib/props";
import { isRecord, recordedReferences } from "../lib/record";
import { CONFIG_MAP, STACK_REFERENCE } from "../lib/types";

/** Production reads nothing from development stacks. */
export const stackreferencePromotionSource = resourcePolicy({
    name: "stackreference-promotion-source",
    description: "A production stack references only staging or production stacks (its promotion source is staging; a shared cluster must be production's own), never a development stack or one whose name does not say its environment.",
    severity: "critical",
    topics: ["promotion"],
    scope: "production",
    blocks: "production StackReferences (as the release record lists them) to development stacks or to stacks whose name names no environment",
    remedy: "promote from staging (delivery:promotion.from: <org>/delivery/staging) and run production on its own cluster",
    // The engine does not show StackReferences (reads) to policies; the release record lists them.
    resourceTypes: [STACK_REFERENCE, CONFIG_MAP],
    validate: ({ type, name, props, report }) => {
        const targets: [string, string][] = [];
        if (type === STACK_REFERENCE) {
            const target = read(props, "name");
            if (typeof target === "string") {
                targets.push([`StackReference ${name}`, target]);
            }
        } else if (isRecord({ type, props })) {
            targets.push(...recordedReferences(props).map((t): [string, string] => [`A StackReference recorded in ${name}`, t]));
        }
        for (const [what, target] of targets) {
            const env = environmentFromStackName(target);
            if (env === "development") {
                report(`${what} makes production depend on ${target}, a development stack (dev → staging → prod only)`);
            } else if (env === undefined) {
                report(`${what} points at ${target}, whose name does not say its environment, so production's source cannot be verified`,
                    "reference the staging stack by a name that says so (…/staging), or a production stack");
            }
        }
    },
});

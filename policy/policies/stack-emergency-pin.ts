import { stackPolicy } from "../lib/define";
import { isRecord, recordField } from "../lib/record";
import { CONFIG_MAP } from "../lib/types";

/**
 * An emergency pin runs a release the upstream chain never ran (`delivery:pin.emergency: true`).
 * It is allowed — that is its purpose — but never silent: the pack reports it on every review
 * while it lasts. Advisory even in production (policy/config/prod.json): a report that blocked
 * would block the emergency itself.
 */
export const stackEmergencyPin = stackPolicy({
    name: "stack-emergency-pin",
    description: "Reports a production stack pinned to a release its upstream never ran (an emergency pin), with its reason, on every review while it lasts.",
    severity: "high",
    topics: ["promotion"],
    scope: "production",
    blocks: "nothing: reports emergency pins (advisory in every environment)",
    remedy: "once the emergency is over, pin a release staging ran, or remove delivery:pin to follow staging again",
    resourceTypes: [CONFIG_MAP],
    validate: ({ resources, report }) => {
        for (const r of resources.filter((x) => isRecord(x))) {
            if (recordField(r.props, "emergency") === "true") {
                report(`the release recorded in ${r.name} (${recordField(r.props, "version")}) is an emergency pin that skips the upstream chain: ${recordField(r.props, "pinReason")}`, r);
            }
        }
    },
});

import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/define";
import { environmentFromStackName } from "../lib/environment";
import { peek } from "../lib/props";
import { RECORD_LABEL, isRecord, recordField, recordedReferences } from "../lib/record";
import { CONFIG_MAP, HELM_TYPES, isHelm, STACK_REFERENCE } from "../lib/types";
import { isPlatformRelease } from "../lib/workloads";
import { platformCharts } from "../lib/params";

export interface Params {
    readonly platformCharts: string[];
    readonly minPinReasonLength: number;
}

export { RECORD_LABEL };

const field = (r: PolicyResource, key: string): string => recordField(r.props, key);

/** Production runs what staging ran, or a pin whose reason is on record. */
export const stackPromotionFromStaging = stackPolicy<Params>({
    name: "stack-promotion-from-staging",
    description: "A production stack takes its release from staging through a StackReference, or holds a pin with its reason recorded; never a release set in its own config.",
    severity: "critical",
    topics: ["promotion"],
    scope: "production",
    blocks: "production releases not promoted from staging (set in config, from another stack, or pinned without a recorded reason)",
    remedy: "remove delivery:release from the production stack and set delivery:promotion.from to the staging stack; to hold a version, set delivery:pin with version and reason",
    resourceTypes: [CONFIG_MAP, STACK_REFERENCE, ...HELM_TYPES],
    params: {
        platformCharts: platformCharts(),
        minPinReasonLength: { type: "integer", minimum: 1, default: 10, description: "Shortest acceptable pin reason (incident or ticket and why)." },
    },
    validate: ({ resources, config, report }) => {
        const records = resources.filter(isRecord);
        const apps = resources.filter((r) => isHelm(r.type) && !isPlatformRelease(r.props, config.platformCharts));
        if (records.length === 0) {
            if (apps.length > 0) {
                report(`Production deploys ${apps.map((a) => a.name).join(", ")} without a release record (ConfigMap labelled ${RECORD_LABEL}=promotion), so where the release came from cannot be checked`, apps[0],
                    "deploy the app through the AppRelease component, which records its promotion");
            }
            return;
        }
        // StackReferences are visible only where reads are analyzed (not in the engine); the record
        // lists the ones the program made.
        const visible = resources.filter((r) => r.type === STACK_REFERENCE).map((r) => peek(r.props, "name"));
        for (const rec of records) {
            const references = [...visible, ...recordedReferences(rec.props)];
            const source = field(rec, "source");
            const upstream = field(rec, "upstreamStack");
            const what = `Release record ${rec.name}`;
            switch (source) {
                case "upstream":
                    if (environmentFromStackName(upstream) !== "staging") {
                        report(`${what} says production was promoted from ${upstream || "(no stack)"}, which is not a staging stack`, rec);
                    } else if (!references.includes(upstream)) {
                        report(`${what} names ${upstream} as the source, but the stack has no StackReference to it (the record's stackReferences: ${recordField(rec.props, "stackReferences") || "none"})`, rec,
                            "promote through the promotion component, which reads the upstream stack's release output");
                    }
                    break;
                case "pin":
                case "rollback": {
                    const reason = field(rec, "pinReason").trim();
                    if (reason.length < config.minPinReasonLength) {
                        report(`${what} pins production ${reason === "" ? "without a reason" : `with the reason ${JSON.stringify(reason)}, shorter than ${config.minPinReasonLength} characters`}`, rec,
                            "set delivery:pin.reason to the incident or ticket and why the pin is needed");
                    }
                    break;
                }
                case "config":
                    report(`${what} says production's release was set in its own config instead of promoted from staging`, rec);
                    break;
                default:
                    report(`${what} has source ${JSON.stringify(source)}, not upstream, pin or rollback`, rec);
            }
        }
    },
});

import { stackPolicy } from "../lib/define";
import { isRecord, recordField } from "../lib/record";
import { CONFIG_MAP } from "../lib/types";

/**
 * An override of the promotion gates (`delivery:override`: soak, freeze windows) is the emergency
 * path around them — never around policy. It is allowed, but never silent: the release record
 * carries it with its reason and the pack reports it on every review while it is set. Advisory in
 * every environment: a report that blocked would block the emergency itself.
 */
export const stackGateOverride = stackPolicy({
    name: "stack-gate-override",
    description: "Reports a stack whose release record carries an override of the soak or freeze gates (delivery:override), with its reason, on every review while it is set.",
    severity: "high",
    topics: ["promotion"],
    scope: "all",
    blocks: "nothing: reports overrides of soak or freeze (advisory in every environment)",
    remedy: "once the emergency is over, remove delivery:override so the soak and freeze windows hold again",
    resourceTypes: [CONFIG_MAP],
    validate: ({ resources, report }) => {
        for (const r of resources.filter((x) => isRecord(x))) {
            const text = recordField(r.props, "override");
            if (text === undefined || text === "") {
                continue;
            }
            let o: { gates?: unknown; reason?: unknown } = {};
            try {
                o = JSON.parse(text) as typeof o;
            } catch {
                // Unreadable: still an override.
            }
            const gates = Array.isArray(o.gates) ? o.gates.map(String).join(", ") : "unknown gates";
            report(`the release recorded in ${r.name} (${recordField(r.props, "version")}) overrides ${gates} with delivery:override: ${typeof o.reason === "string" ? o.reason : "(no reason recorded)"}`, r);
        }
    },
});

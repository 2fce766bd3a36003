import { resourcePolicy } from "../lib/define";
import { stringMap } from "../lib/props";
import { NAMESPACE } from "../lib/types";
import { metadataName } from "../lib/namespaces";

export interface Params {
    /** The Pod Security Standard production namespaces must enforce. */
    readonly level: "privileged" | "baseline" | "restricted";
    /** Namespaces that cannot run restricted (the control plane's own). */
    readonly exemptNamespaces: string[];
}

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
const LEVELS = ["privileged", "baseline", "restricted"] as const;

/** Production namespaces admit only pods that meet the restricted Pod Security Standard. */
export const namespacePodSecurity = resourcePolicy<Params>({
    name: "namespace-pod-security",
    description: "Production namespaces enforce the configured Pod Security Standard (restricted by default) through Pod Security Admission.",
    severity: "high",
    topics: ["namespaces", "pod-security"],
    scope: "production",
    blocks: "production namespaces enforcing less than `restricted` Pod Security (or none)",
    remedy: "set delivery:namespace.podSecurity: restricted",
    resourceTypes: [NAMESPACE],
    params: {
        level: { type: "string", enum: [...LEVELS], default: "restricted", description: "Pod Security level production namespaces must enforce." },
        exemptNamespaces: { type: "array", items: { type: "string" }, default: ["kube-system", "kube-public", "kube-node-lease"], description: "Namespaces exempt from this rule." },
    },
    validate: ({ args, name, props, config, report }) => {
        const ns = metadataName(props) ?? name;
        if (config.exemptNamespaces.includes(ns)) {
            return args.notApplicable(`${ns} is exempt`);
        }
        const enforced = stringMap(props, "metadata", "labels")[ENFORCE_LABEL];
        const fix = `set delivery:namespace.podSecurity: ${config.level}`;
        if (enforced === undefined) {
            report(`Namespace ${ns} enforces no Pod Security Standard (label ${ENFORCE_LABEL} is missing)`, fix);
        } else if (LEVELS.indexOf(enforced as never) < LEVELS.indexOf(config.level)) {
            report(`Namespace ${ns} enforces Pod Security "${enforced}", below "${config.level}"`, fix);
        }
    },
});

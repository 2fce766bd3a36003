import { resourcePolicy } from "../lib/define";
import { stringMap } from "../lib/props";
import { HELM_VALUES_TYPES, INGRESS, isHelmValues, isIngress } from "../lib/types";
import { describeRelease, findInValues } from "../lib/workloads";

/** `nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`, `auth-snippet`, `haproxy.org/backend-config-snippet`… */
const isSnippet = (key: string) => /\/[a-z0-9-]*snippets?$/i.test(key);

/**
 * Snippet annotations paste raw configuration into the shared ingress controller, which runs with
 * the TLS keys and the reach of every app behind it: one Ingress can then rewrite or read other
 * apps' traffic, or run arbitrary directives in the controller (CVE-2021-25742, CVE-2025-1974).
 */
export const ingressControllerSnippets = resourcePolicy({
    name: "ingress-controller-snippets",
    description: "Ingresses do not paste raw configuration into the shared ingress controller (snippet annotations).",
    severity: "high",
    topics: ["network", "ingress"],
    scope: "all",
    blocks: "Ingresses (or Helm values) with configuration-, server-, auth- or other snippet annotations",
    remedy: "remove the snippet annotation from delivery:values ingress.annotations; ask for the behaviour through the controller's dedicated annotations or its own configuration",
    resourceTypes: [INGRESS, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isIngress(t) || isHelmValues(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => isSnippet(k) && typeof v === "string")) {
                report(`${describeRelease(name, props)} sets the snippet annotation ${f.key} (${f.path})`);
            }
            return;
        }
        for (const key of Object.keys(stringMap(props, "metadata", "annotations")).filter(isSnippet).sort()) {
            report(`Ingress ${name} has the snippet annotation ${key}: it pastes raw configuration into the shared ingress controller`);
        }
    },
});

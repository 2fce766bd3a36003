import { resourcePolicy } from "../lib/define";
import { findKeys, list, peek, read, stringMap } from "../lib/props";
import { isLiteralSecretValue, isSecretName, secretShape } from "../lib/secrets";
import { CONFIG_MAP, HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";

/** Kubernetes objects whose annotations could carry a literal: everything rendered but Secrets (which are meant to) and Helm components. */
const isAnnotated = (t: string) => t.startsWith("kubernetes:") && !/:Secret$/.test(t) && !t.startsWith("kubernetes:helm.sh/");
import { containersOf, describeRelease, describeWorkload, findInValues, podSpecOf } from "../lib/workloads";

/** Why a literal looks like a secret: its name, or its shape. */
function why(name: string, value: unknown): string | undefined {
    if (!isLiteralSecretValue(value)) {
        return undefined;
    }
    const shape = secretShape(value);
    if (shape) {
        return `holds what looks like ${shape}`;
    }
    return isSecretName(name) ? "holds a literal value under a secret-sounding name" : undefined;
}

/** Secrets reach workloads from a secret store, never as literals in values, env vars or ConfigMaps. */
export const workloadPlaintextSecrets = resourcePolicy({
    name: "workload-plaintext-secrets",
    description: "No literal secret (password, token, API key, private key, credentials in a URL) in Helm values, container env vars, ConfigMaps or object annotations.",
    severity: "critical",
    topics: ["secrets", "workloads"],
    scope: "all",
    blocks: "secret-looking literals in Helm values, env vars, ConfigMap data or the annotations of rendered objects",
    remedy: "keep the value in the secret store and load it through delivery:secrets (an ExternalSecret the app reads with envFrom), then remove it from delivery:app.env",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES, CONFIG_MAP, "kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:Ingress"],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t) || isAnnotated(t),
    validate: ({ type, name, props, report }) => {
        if (isHelmValues(type)) {
            for (const f of findInValues(props, (k, v) => why(k, v) !== undefined)) {
                report(`${describeRelease(name, props)}: ${f.path} ${why(f.key, f.value)}`);
            }
            return;
        }
        const annotations = [["metadata.annotations", stringMap(props, "metadata", "annotations")], ["spec.template.metadata.annotations", stringMap(props, "spec", "template", "metadata", "annotations")]] as const;
        for (const [where, map] of annotations) {
            for (const [k, v] of Object.entries(map)) {
                const reason = why(k, v);
                if (reason) {
                    report(`${type.split(":").pop()} ${name}: ${where}.${k} ${reason}`,
                        "remove it from delivery:values (annotations are readable by anyone who can list the object); load secrets through delivery:secrets");
                }
            }
        }
        if (type === CONFIG_MAP) {
            for (const f of findKeys(read(props, "data"), (k, v) => why(k, v) !== undefined, "data")) {
                report(`ConfigMap ${name}: ${f.path} ${why(f.key, f.value)}`, "move the value into a Secret fed by the secret store (delivery:secrets)");
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            for (const e of list(c.spec, "env")) {
                const envName = String(peek(e, "name") ?? "");
                const reason = why(envName, peek(e, "value"));
                if (reason) {
                    report(`${describeWorkload(type, name)} ${c.label}: env ${envName} ${reason}`,
                        "read it with valueFrom.secretKeyRef (or envFrom a Secret written by External Secrets)");
                }
            }
        }
    },
});

/**
 * Which namespaces hold the application (and so need a quota and default-deny isolation):
 * namespaces the stack creates with the app's label, and namespaces its app workloads run in,
 * minus the namespaces of cluster add-ons.
 */
import { PolicyResource } from "@pulumi/policy";
import { peek, stringMap } from "./props";
import { isCustomResource, isHelm, isWorkload, NAMESPACE } from "./types";
import { isPlatformRelease, namespaceOf, releaseNamespace } from "./workloads";

/** Namespaces of cluster add-ons (operators, controllers), exempt from app-namespace rules. */
export const DEFAULT_PLATFORM_NAMESPACES: readonly string[] = [
    "kube-system", "kube-public", "kube-node-lease", "external-secrets", "sealed-secrets", "ingress-nginx", "cert-manager", "external-dns",
];

/** Label the program puts on everything that belongs to the application. */
export const DEFAULT_APP_LABEL = "app.kubernetes.io/part-of";

export interface AppNamespace {
    readonly name: string;
    /** The Namespace resource, when this stack creates it. */
    readonly resource?: PolicyResource;
    /** What made it an app namespace, for messages. */
    readonly because: string;
}

/** `metadata.name` of a Kubernetes object, when known. */
export function metadataName(props: unknown): string | undefined {
    const name = peek(props, "metadata", "name");
    return typeof name === "string" ? name : undefined;
}

export function namespaceName(ns: PolicyResource): string | undefined {
    return metadataName(ns.props);
}

export function appNamespaces(
    resources: readonly PolicyResource[],
    opts: { readonly platformNamespaces: readonly string[]; readonly platformCharts: readonly string[]; readonly appLabel: string },
): AppNamespace[] {
    const found = new Map<string, AppNamespace>();
    const add = (name: string | undefined, because: string, resource?: PolicyResource) => {
        if (name !== undefined && !opts.platformNamespaces.includes(name)) {
            const prev = found.get(name);
            found.set(name, { name, resource: resource ?? prev?.resource, because: prev?.because ?? because });
        }
    };
    for (const r of resources) {
        if (r.type === NAMESPACE && stringMap(r.props, "metadata", "labels")[opts.appLabel] !== undefined) {
            add(namespaceName(r), `labelled ${opts.appLabel}`, r);
        } else if (isHelm(r.type) && !isPlatformRelease(r.props, opts.platformCharts)) {
            add(releaseNamespace(r.props), `Helm release ${r.name} runs there`);
        } else if (isWorkload(r.type) && !isCustomResource(r.type)) {
            add(namespaceOf(r.props), `${r.type.split(":").pop()} ${r.name} runs there`);
        }
    }
    for (const r of resources) {
        const name = r.type === NAMESPACE ? namespaceName(r) : undefined;
        if (name !== undefined && found.has(name) && !found.get(name)!.resource) {
            found.set(name, { ...found.get(name)!, resource: r });
        }
    }
    return [...found.values()];
}

/** Resources of `type` whose metadata.namespace is `namespace`. */
export function inNamespace(resources: readonly PolicyResource[], test: (type: string) => boolean, namespace: string): PolicyResource[] {
    return resources.filter((r) => test(r.type) && namespaceOf(r.props) === namespace);
}

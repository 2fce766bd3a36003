import { stackPolicy } from "../lib/define";
import { findKeys, peek, stringMap } from "../lib/props";
import { isRecord } from "../lib/record";
import { CLUSTER_SECRET_STORE, SECRET_STORE, WORKLOAD_TYPES, isClusterSecretStore, isSecretStore } from "../lib/types";
import { describeWorkload, namespaceOf, podSpecOf } from "../lib/workloads";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const RECORD_TYPE = "kubernetes:core/v1:ConfigMap";
/** The annotations that give a Kubernetes service account a cloud identity (EKS IRSA, GKE and Azure workload identity). */
export const IDENTITY_ANNOTATIONS: readonly string[] = ["eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id"];

/**
 * In the app's namespace only the secret stores hold a cloud identity: the service accounts their
 * SecretStores authenticate as. Any other service account there with a cloud identity annotation
 * (from chart values, a values file or a chart's template) hands its pods a cloud role nobody
 * created for them, and a workload running as a store's account gets the store's reading rights.
 */
export const workloadCloudIdentity = stackPolicy({
    name: "workload-cloud-identity",
    description: "In production only the secret stores' service accounts carry a cloud identity, and no workload runs as one of them.",
    severity: "high",
    topics: ["identity", "secrets"],
    scope: "production",
    blocks: "production service accounts in the app's namespace with a cloud identity (IRSA role, GKE or Azure workload identity) that no SecretStore authenticates as, and workloads running as a store's service account",
    remedy: "remove serviceAccount annotations that name a cloud identity from delivery:values and delivery:valuesFiles; the app reads its secrets through delivery:secrets",
    resourceTypes: [SERVICE_ACCOUNT, SECRET_STORE, CLUSTER_SECRET_STORE, RECORD_TYPE, ...WORKLOAD_TYPES],
    validate: ({ resources, report }) => {
        const appNamespaces = new Set(resources.filter((r) => isRecord(r)).map((r) => namespaceOf(r.props)).filter((n): n is string => n !== undefined));
        const storeAccounts = new Set<string>();
        for (const s of resources.filter((r) => isSecretStore(r.type))) {
            for (const ref of findKeys(peek(s.props, "spec"), (k) => k === "serviceAccountRef")) {
                const name = peek(ref.value, "name");
                const ns = peek(ref.value, "namespace") ?? (isClusterSecretStore(s.type) ? undefined : namespaceOf(s.props));
                if (typeof name === "string" && typeof ns === "string") {
                    storeAccounts.add(`${ns}/${name}`);
                }
            }
        }
        for (const sa of resources.filter((r) => r.type === SERVICE_ACCOUNT)) {
            const ns = namespaceOf(sa.props) ?? "";
            const name = String(peek(sa.props, "metadata", "name") ?? sa.name);
            if (!appNamespaces.has(ns) || storeAccounts.has(`${ns}/${name}`)) {
                continue;
            }
            const annotations = stringMap(sa.props, "metadata", "annotations");
            const identities = IDENTITY_ANNOTATIONS.filter((a) => annotations[a] !== undefined);
            if (identities.length > 0) {
                report(`ServiceAccount ${ns}/${name} carries a cloud identity (${identities.join(", ")}) but no SecretStore authenticates as it: its pods would get a cloud role nobody created for them`, sa);
            }
        }
        for (const w of resources.filter((r) => WORKLOAD_TYPES.includes(r.type) && appNamespaces.has(namespaceOf(r.props) ?? ""))) {
            const ns = namespaceOf(w.props) ?? "";
            const account = peek(podSpecOf(w.type, w.props), "serviceAccountName");
            if (typeof account === "string" && storeAccounts.has(`${ns}/${account}`)) {
                report(`${describeWorkload(w.type, w.name)} runs as ${account}, the secret stores' service account: its pods would read every secret the stores can`, w);
            }
        }
    },
});

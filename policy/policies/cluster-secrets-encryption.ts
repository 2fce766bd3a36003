import { describeCluster, secretsEncryptionProblem } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

/** Kubernetes secrets must be envelope-encrypted with a customer-managed KMS key. */
export const clusterSecretsEncryption = resourcePolicy({
    name: "cluster-secrets-encryption",
    description: "Kubernetes secrets are envelope-encrypted in etcd with a KMS key (AWS KMS, Azure Key Vault, Cloud KMS).",
    severity: "high",
    topics: ["cluster", "encryption"],
    scope: "all",
    blocks: "clusters whose secrets are not encrypted with a KMS key",
    remedy: "set delivery:cluster.encryption.kms: true (or an existing key in delivery:cluster.encryption.keyId)",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    validate: ({ type, name, props, report }) => {
        const problem = secretsEncryptionProblem(type, props);
        if (problem) {
            report(`${describeCluster(type, name)} ${problem}`);
        }
    },
});

import {
    AKS_CLASSIC, EKS_NATIVE, UNKNOWN_STRING, aks, aksClassicInputs, aksInputs, change, check, eks, eksInputs, eksNativeInputs, fails, gke,
    gkeInputs, pack, passes, resource,
} from "../fixtures";

const policy = pack("cluster-secrets-encryption");
const REMEDY = "Remedy: set delivery:cluster.encryption.kms: true (or an existing key in delivery:cluster.encryption.keyId).";

describe("cluster-secrets-encryption", () => {
    it("passes KMS-encrypted EKS, AKS and GKE clusters", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
    });

    it("passes a key that is only known after deployment (presence, not value)", async () => {
        passes(await check(policy, eks(change(eksInputs(), "encryptionConfig.provider.keyArn", UNKNOWN_STRING))));
    });

    it("fails an EKS cluster without encryptionConfig", async () => {
        fails(await check(policy, eks(change(eksInputs(), "encryptionConfig", undefined))),
            `EKS cluster delivery-prod-eks has no encryptionConfig: Kubernetes secrets are stored without KMS envelope encryption. ${REMEDY}`);
    });

    it("fails an EKS encryptionConfig that does not cover secrets", async () => {
        fails(await check(policy, eks(change(eksInputs(), "encryptionConfig.resources", []))),
            `EKS cluster delivery-prod-eks has an encryptionConfig that does not cover "secrets". ${REMEDY}`);
    });

    it("fails an EKS encryptionConfig without a key", async () => {
        fails(await check(policy, eks(change(eksInputs(), "encryptionConfig.provider", {}))),
            `EKS cluster delivery-prod-eks encrypts secrets without naming a KMS key (encryptionConfig.provider.keyArn). ${REMEDY}`);
    });

    it("fails an AKS cluster without Key Vault KMS", async () => {
        fails(await check(policy, aks(change(aksInputs(), "securityProfile.azureKeyVaultKms", undefined))),
            `AKS cluster delivery-prod-aks does not enable securityProfile.azureKeyVaultKms: etcd secrets are not encrypted with a Key Vault key. ${REMEDY}`);
    });

    it("fails AKS Key Vault KMS without a key id", async () => {
        fails(await check(policy, aks(change(aksInputs(), "securityProfile.azureKeyVaultKms.keyId", undefined))),
            `AKS cluster delivery-prod-aks enables Key Vault KMS without a key (securityProfile.azureKeyVaultKms.keyId). ${REMEDY}`);
    });

    it("fails a GKE cluster whose database encryption is DECRYPTED", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "databaseEncryption", { state: "DECRYPTED" }))),
            `GKE cluster delivery-prod-gke has databaseEncryption.state "DECRYPTED": secrets in etcd are not encrypted with a Cloud KMS key. ${REMEDY}`);
    });

    it("fails GKE encryption without a key name", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "databaseEncryption.keyName", undefined))),
            `GKE cluster delivery-prod-gke encrypts the database without a key (databaseEncryption.keyName). ${REMEDY}`);
    });

    it("reads aws-native (a list of configs) and classic Azure the same way", async () => {
        passes(await check(policy, resource(EKS_NATIVE, "eks", eksNativeInputs())));
        fails(await check(policy, resource(EKS_NATIVE, "eks", change(eksNativeInputs(), "encryptionConfig", []))),
            `EKS cluster eks has no encryptionConfig: Kubernetes secrets are stored without KMS envelope encryption. ${REMEDY}`);
        fails(await check(policy, resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "keyManagementService", undefined))),
            `AKS cluster aks has no keyManagementService.keyVaultKeyId: etcd secrets are not encrypted with a Key Vault key. ${REMEDY}`);
    });
});

import {
    AKS_COMPONENT, EKS_NATIVE, aks, aksAudit, change, checkStack, eks, eksInputs, eksNativeInputs, fails, gke, gkeInputs, pack, passes, resource,
} from "../fixtures";

const policy = pack("cluster-audit-logging");
const REMEDY = "Remedy: set delivery:cluster.logging: true.";

describe("cluster-audit-logging", () => {
    it("passes EKS with api/audit/authenticator logs, GKE with APISERVER logs, AKS with a kube-audit diagnostic setting", async () => {
        passes(await checkStack(policy, [eks()]));
        passes(await checkStack(policy, [gke()]));
        passes(await checkStack(policy, [aks(), aksAudit()]));
    });

    it("fails an EKS cluster that does not log audit events", async () => {
        fails(await checkStack(policy, [eks(change(eksInputs(), "enabledClusterLogTypes", ["api", "authenticator"]))]),
            `EKS cluster delivery-prod-eks does not log audit (enabledClusterLogTypes: ["api","authenticator"]). ${REMEDY}`);
    });

    it("fails an EKS cluster with logging off", async () => {
        fails(await checkStack(policy, [eks(change(eksInputs(), "enabledClusterLogTypes", []))]),
            `EKS cluster delivery-prod-eks does not log api, audit, authenticator (enabledClusterLogTypes: []). ${REMEDY}`);
    });

    it("fails a GKE cluster without API server logs", async () => {
        fails(await checkStack(policy, [gke(change(gkeInputs(), "loggingConfig.enableComponents", ["SYSTEM_COMPONENTS"]))]),
            `GKE cluster delivery-prod-gke does not send APISERVER logs to Cloud Logging (loggingConfig.enableComponents: ["SYSTEM_COMPONENTS"]). ${REMEDY}`);
    });

    it("fails an AKS cluster without a diagnostic setting", async () => {
        fails(await checkStack(policy, [aks()]),
            `AKS cluster delivery-prod-aks has no diagnostic setting that sends kube-audit or kube-audit-admin logs to a workspace. ${REMEDY}`);
    });

    it("fails an AKS diagnostic setting without an audit category", async () => {
        fails(await checkStack(policy, [aks(), aksAudit({ logs: [{ category: "kube-apiserver", enabled: true }] })]),
            `AKS cluster delivery-prod-aks has no diagnostic setting that sends kube-audit or kube-audit-admin logs to a workspace. ${REMEDY}`);
    });

    it("does not count a diagnostic setting of another resource", async () => {
        const other = { ...aksAudit({ resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv" }), parent: "" };
        fails(await checkStack(policy, [aks({ ...(aks().inputs) }, { parent: AKS_COMPONENT }), other]),
            `AKS cluster delivery-prod-aks has no diagnostic setting that sends kube-audit or kube-audit-admin logs to a workspace. ${REMEDY}`);
    });

    it("reads aws-native logging", async () => {
        passes(await checkStack(policy, [resource(EKS_NATIVE, "eks", eksNativeInputs())]));
        fails(await checkStack(policy, [resource(EKS_NATIVE, "eks", change(eksNativeInputs(), "logging", undefined))]),
            `EKS cluster eks does not log api, audit, authenticator (logging.clusterLogging.enabledTypes: []). ${REMEDY}`);
    });
});

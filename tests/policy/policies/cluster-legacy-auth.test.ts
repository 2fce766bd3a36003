import { AKS_CLASSIC, aks, aksClassicInputs, aksInputs, change, check, eks, eksInputs, fails, gke, gkeInputs, pack, passes, resource } from "../fixtures";

const policy = pack("cluster-legacy-auth");
const REMEDY = "Remedy: use cloud identities only: EKS accessConfig.authenticationMode API, AKS disableLocalAccounts with Entra ID, GKE without masterAuth credentials.";

describe("cluster-legacy-auth", () => {
    it("passes EKS API access entries, AKS without local accounts, GKE without basic auth or client certificates", async () => {
        passes(await check(policy, eks()));
        passes(await check(policy, aks()));
        passes(await check(policy, gke()));
        passes(await check(policy, resource(AKS_CLASSIC, "aks", aksClassicInputs())));
    });

    it("fails EKS authenticating through the aws-auth ConfigMap", async () => {
        fails(await check(policy, eks(change(eksInputs(), "accessConfig.authenticationMode", "API_AND_CONFIG_MAP"))),
            `EKS cluster delivery-prod-eks authenticates through the aws-auth ConfigMap (accessConfig.authenticationMode "API_AND_CONFIG_MAP"). ${REMEDY}`);
    });

    it("fails EKS without accessConfig (CONFIG_MAP by default)", async () => {
        fails(await check(policy, eks(change(eksInputs(), "accessConfig", undefined))),
            `EKS cluster delivery-prod-eks authenticates through the aws-auth ConfigMap (accessConfig.authenticationMode unset, which means CONFIG_MAP). ${REMEDY}`);
    });

    it("fails AKS with local accounts", async () => {
        fails(await check(policy, aks(change(aksInputs(), "disableLocalAccounts", false))),
            `AKS cluster delivery-prod-aks keeps local accounts (disableLocalAccounts is not true): a static admin kubeconfig bypasses Entra ID. ${REMEDY}`);
    });

    it("fails AKS with Kubernetes RBAC off", async () => {
        fails(await check(policy, aks(change(aksInputs(), "enableRBAC", false))),
            `AKS cluster delivery-prod-aks turns Kubernetes RBAC off (enableRBAC: false). ${REMEDY}`);
    });

    it("fails classic Azure clusters that keep local accounts", async () => {
        fails(await check(policy, resource(AKS_CLASSIC, "aks", change(aksClassicInputs(), "localAccountDisabled", undefined))),
            `AKS cluster aks keeps local accounts (localAccountDisabled is not true): a static admin kubeconfig bypasses Entra ID. ${REMEDY}`);
    });

    it("fails GKE basic authentication", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "masterAuth.username", "admin"))),
            `GKE cluster delivery-prod-gke enables basic authentication (masterAuth.username/password). ${REMEDY}`);
    });

    it("fails GKE client certificates", async () => {
        fails(await check(policy, gke(change(gkeInputs(), "masterAuth.clientCertificateConfig.issueClientCertificate", true))),
            `GKE cluster delivery-prod-gke issues a client certificate (masterAuth.clientCertificateConfig.issueClientCertificate: true). ${REMEDY}`);
    });
});

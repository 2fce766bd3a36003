import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { IbmStoreConfig } from "../../config/secrets";
import { StoreContext, StoreWiring } from "./context";

/** Where the projected service-account token is read for trusted-profile auth. */
export const IBM_TOKEN_LOCATION = "/var/run/secrets/tokens/sa-token";

/**
 * IBM Cloud Secrets Manager: API-key auth from an existing Kubernetes secret or from the Pulumi
 * secret `delivery:ibmApiKey` (never from plaintext), or trusted-profile (compute resource) auth.
 * Isolation comes from the key's / profile's IAM access, which is scoped per environment.
 */
export function ibmStore(ctx: StoreContext, store: IbmStoreConfig): StoreWiring {
    if (store.auth === "trustedProfile") {
        return {
            provider: { ibm: { serviceUrl: store.serviceUrl, auth: { containerAuth: { profile: store.profile as string, tokenLocation: IBM_TOKEN_LOCATION } } } },
            annotations: {},
            remoteKey: (key) => key,
            dependsOn: [],
        };
    }
    let ref = store.apiKeySecret;
    const dependsOn: pulumi.Resource[] = [];
    if (ref === undefined) {
        const secret = new corev1.Secret(`${ctx.name}-${store.name}-api-key`, {
            metadata: { name: `${ctx.app}-ibm-secrets-manager`, namespace: ctx.namespace, labels: { "app.kubernetes.io/part-of": ctx.app } },
            type: "Opaque",
            stringData: { apikey: pulumi.secret(ctx.ibmApiKey as string) },
        }, { parent: ctx.parent, provider: ctx.k8sProvider });
        dependsOn.push(secret);
        ref = { name: `${ctx.app}-ibm-secrets-manager`, key: "apikey" };
    }
    return {
        provider: { ibm: { serviceUrl: store.serviceUrl, auth: { secretRef: { secretApiKeySecretRef: { name: ref.name, key: ref.key } } } } },
        annotations: {},
        remoteKey: (key) => key,
        dependsOn,
    };
}

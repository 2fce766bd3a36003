/**
 * Typed arguments for the External Secrets Operator (external-secrets.io/v1) kinds this program
 * creates, and thin constructors over `CustomResource` so no manifest is written as raw YAML.
 */
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";

export const ESO_API_VERSION = "external-secrets.io/v1";

type In<T> = pulumi.Input<T>;

export interface ServiceAccountRef {
    readonly name: In<string>;
    /** Only on ClusterSecretStores. */
    readonly namespace?: In<string>;
    readonly audiences?: In<string>[];
}

export interface SecretKeyRef {
    readonly name: In<string>;
    readonly key: In<string>;
    readonly namespace?: In<string>;
}

export interface AwsProvider {
    readonly service: "SecretsManager" | "ParameterStore";
    readonly region: In<string>;
    readonly auth?: { readonly jwt: { readonly serviceAccountRef: ServiceAccountRef } };
}

export interface AzureKvProvider {
    readonly authType: "WorkloadIdentity";
    readonly vaultUrl: In<string>;
    readonly tenantId?: In<string>;
    readonly serviceAccountRef: ServiceAccountRef;
}

export interface GcpSmProvider {
    readonly projectID: In<string>;
    readonly auth: {
        readonly workloadIdentity: {
            readonly clusterLocation: In<string>;
            readonly clusterName: In<string>;
            readonly clusterProjectID: In<string>;
            readonly serviceAccountRef: ServiceAccountRef;
        };
    };
}

export interface VaultProvider {
    readonly server: In<string>;
    readonly path: In<string>;
    readonly version: "v2";
    readonly auth: { readonly kubernetes: { readonly mountPath: In<string>; readonly role: In<string>; readonly serviceAccountRef: ServiceAccountRef } };
}

export interface IbmProvider {
    readonly serviceUrl: In<string>;
    readonly auth:
        | { readonly secretRef: { readonly secretApiKeySecretRef: SecretKeyRef } }
        | { readonly containerAuth: { readonly profile: In<string>; readonly tokenLocation?: In<string>; readonly iamEndpoint?: In<string> } };
}

/** Exactly one provider per store. */
export type StoreProvider =
    | { readonly aws: AwsProvider }
    | { readonly azurekv: AzureKvProvider }
    | { readonly gcpsm: GcpSmProvider }
    | { readonly vault: VaultProvider }
    | { readonly ibm: IbmProvider };

export interface SecretStoreSpec {
    readonly provider: StoreProvider;
    readonly refreshInterval?: number;
}

export interface ClusterSecretStoreSpec extends SecretStoreSpec {
    /** Namespaces allowed to use the store; this program always sets it. */
    readonly conditions: { readonly namespaces?: In<string>[]; readonly namespaceSelector?: { readonly matchLabels: Record<string, In<string>> } }[];
}

export interface ExternalSecretSpec {
    readonly refreshInterval: In<string>;
    readonly secretStoreRef: { readonly name: In<string>; readonly kind: "SecretStore" | "ClusterSecretStore" };
    readonly target: { readonly name: In<string>; readonly creationPolicy: "Owner" | "Merge" | "Orphan"; readonly deletionPolicy?: "Retain" | "Delete" | "Merge" };
    readonly data?: { readonly secretKey: In<string>; readonly remoteRef: { readonly key: In<string>; readonly property?: In<string> } }[];
    readonly dataFrom?: { readonly extract: { readonly key: In<string> } }[];
}

interface Metadata {
    readonly name: In<string>;
    readonly namespace?: In<string>;
    readonly labels?: Record<string, In<string>>;
}

function esoResource(kind: string, name: string, metadata: Metadata, spec: object, opts: pulumi.CustomResourceOptions) {
    return new CustomResource(name, { apiVersion: ESO_API_VERSION, kind, metadata, spec }, opts);
}

export const secretStore = (name: string, args: { metadata: Metadata; spec: SecretStoreSpec }, opts: pulumi.CustomResourceOptions) =>
    esoResource("SecretStore", name, args.metadata, args.spec, opts);

export const clusterSecretStore = (name: string, args: { metadata: Metadata; spec: ClusterSecretStoreSpec }, opts: pulumi.CustomResourceOptions) =>
    esoResource("ClusterSecretStore", name, args.metadata, args.spec, opts);

export const externalSecret = (name: string, args: { metadata: Metadata; spec: ExternalSecretSpec }, opts: pulumi.CustomResourceOptions) =>
    esoResource("ExternalSecret", name, args.metadata, args.spec, opts);

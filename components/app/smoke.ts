/**
 * The smoke check after a rollout: a Kubernetes Job in the release's namespace that calls the
 * app's Service and expects a status. Pulumi waits for the Job to complete; a Job that fails (or
 * runs past its deadline) fails the update, so the stack's outputs never advertise the release.
 * The Job is replaced whenever what was deployed changes (release or values: its config hash).
 */
import { SmokeConfig } from "../../config/model";

/** The default check: one GET of SMOKE_URL with retries, its status compared with SMOKE_EXPECT_STATUS. */
// `$$` is a literal `$` for Kubernetes, which expands `$(NAME)` in commands.
export const DEFAULT_SMOKE_SCRIPT = [
    "code=$$(curl --silent --show-error --output /dev/null --write-out '%{http_code}' --retry 5 --retry-delay 2 --max-time 10 \"$SMOKE_URL\") || code=none",
    "echo \"smoke $SMOKE_VERSION: GET $SMOKE_URL -> $code (expected $SMOKE_EXPECT_STATUS)\"",
    "[ \"$code\" = \"$SMOKE_EXPECT_STATUS\" ]",
].join("; ");

export function smokeUrl(smoke: SmokeConfig, namespace: string): string {
    return `http://${smoke.service}.${namespace}.svc:${smoke.port}${smoke.path}`;
}

/** What the record says was checked. */
export function smokeDescription(smoke: SmokeConfig, namespace: string): string {
    return `smoke Job: GET ${smokeUrl(smoke, namespace)} answered ${smoke.expectStatus} (image ${smoke.image}, deadline ${smoke.timeoutSeconds}s)`;
}

export interface SmokeJobInput {
    readonly app: string;
    readonly namespace: string;
    readonly version: string;
    readonly configHash: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly smoke: SmokeConfig;
}

/** The smoke check's own identity: no token, no permissions. */
export function smokeServiceAccount(i: Pick<SmokeJobInput, "app" | "namespace" | "labels">): Record<string, any> {
    return {
        metadata: { name: `${i.app}-smoke`, namespace: i.namespace, labels: { ...i.labels, "app.kubernetes.io/name": `${i.app}-smoke`, "app.kubernetes.io/component": "smoke-check" } },
        automountServiceAccountToken: false,
    };
}

/** The Job object (hardened for the restricted Pod Security level; no token, no privileges). */
export function smokeJob(i: SmokeJobInput): Record<string, any> {
    const labels = {
        ...i.labels,
        // Not the app's selector labels: the smoke pod never joins the app's Service or PDB.
        "app.kubernetes.io/name": `${i.app}-smoke`,
        "app.kubernetes.io/component": "smoke-check",
        "app.kubernetes.io/version": i.version,
    };
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: `${i.app}-smoke`,
            namespace: i.namespace,
            labels,
            annotations: { "delivery.example.com/config-hash": i.configHash },
        },
        spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: i.smoke.timeoutSeconds,
            template: {
                metadata: { labels, annotations: { "delivery.example.com/config-hash": i.configHash } },
                spec: {
                    restartPolicy: "Never",
                    serviceAccountName: `${i.app}-smoke`,
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "smoke",
                        image: i.smoke.image,
                        command: i.smoke.command ? [...i.smoke.command] : ["sh", "-c", DEFAULT_SMOKE_SCRIPT],
                        env: [
                            { name: "SMOKE_URL", value: smokeUrl(i.smoke, i.namespace) },
                            { name: "SMOKE_EXPECT_STATUS", value: String(i.smoke.expectStatus) },
                            { name: "SMOKE_VERSION", value: i.version },
                        ],
                        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } },
                    }],
                },
            },
        },
    };
}

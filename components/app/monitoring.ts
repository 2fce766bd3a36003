/**
 * A Prometheus Operator ServiceMonitor for the app's Service (delivery:observability.metrics with
 * serviceMonitor: true): the operator scrapes the `http` port at the metrics path. The cluster
 * must have the operator's CRDs (monitoring.coreos.com); the bundled chart's Service carries the
 * selected labels, other charts' Services carry `app.kubernetes.io/instance: <app>` by Helm
 * convention.
 */
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Provider as K8sProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { ObservabilityConfig } from "../../config/model";

export const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

export function serviceMonitor(
    app: string, namespace: pulumi.Input<string>, metrics: ObservabilityConfig["metrics"], labels: Readonly<Record<string, string>>,
    opts: { provider: K8sProvider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): CustomResource | undefined {
    if (!metrics.enabled || !metrics.serviceMonitor) {
        return undefined;
    }
    return new CustomResource(`${app}-metrics`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: app, namespace, labels: { ...labels } },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/instance": app } },
            endpoints: [{ port: "http", path: metrics.path, interval: metrics.interval }],
        },
    }, opts);
}

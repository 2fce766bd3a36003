import { resourcePolicy } from "../lib/define";
import { peek, read } from "../lib/props";
import { HELM_TYPES, isHelm } from "../lib/types";
import { describeRelease, isLocalChart } from "../lib/workloads";

/** An exact chart version: `1.2.3`, `v1.2.3`, `1.2.3-rc.1`; no ranges, wildcards or `latest`. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Charts from a repository are pinned to an exact version, so an upgrade is a reviewed change. */
export const helmReleaseChartPinned = resourcePolicy({
    name: "helm-release-chart-pinned",
    description: "Helm releases of repository (https/oci) charts pin an exact chart version; charts in this repository are versioned by their Chart.yaml.",
    severity: "high",
    topics: ["helm", "supply-chain"],
    scope: "all",
    blocks: "repository charts with no version, a range (`^1.2`, `~1`, `1.x`, `*`) or `latest`",
    remedy: "set an exact chart version (delivery:chart.version, or the release's chartVersion)",
    resourceTypes: HELM_TYPES,
    appliesTo: isHelm,
    validate: ({ args, name, props, report }) => {
        if (peek(props, "chart") === undefined) {
            // The engine shows a helm.v4.Chart component without its inputs; the program refuses a
            // chart version that is not exact (delivery:chart.version) before anything is created.
            return args.notApplicable(`${name} shows no chart inputs (a remote component); its version is validated from config`);
        }
        if (isLocalChart(props)) {
            return;
        }
        const version = read(props, "version");
        const what = describeRelease(name, props);
        if (version === undefined || version === null || version === "") {
            report(`${what} has no chart version, so every install takes whatever the repository serves as newest`);
        } else if (typeof version !== "string" || !EXACT_VERSION.test(version.trim())) {
            report(`${what} asks for chart version ${JSON.stringify(version)}, which is not an exact version`);
        }
    },
});

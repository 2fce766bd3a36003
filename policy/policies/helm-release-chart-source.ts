import { resourcePolicy } from "../lib/define";
import { peek } from "../lib/props";
import { HELM_TYPES, isHelm } from "../lib/types";

export interface Params {
    readonly allowedSources: string[];
}

/** Where a Helm resource's chart comes from: `./charts/app`, `https://charts.acme.io/storefront`, `oci://…`. */
export function chartSourceOf(props: unknown): string {
    const chart = String(peek(props, "chart") ?? "");
    const repo = peek(props, "repositoryOpts", "repo");
    return typeof repo === "string" && repo !== "" ? `${repo.replace(/\/+$/, "")}/${chart}` : chart;
}

/** Production installs charts only from sources the platform team reviewed. */
export const helmReleaseChartSource = resourcePolicy<Params>({
    name: "helm-release-chart-source",
    description: "Production charts come from an allowed source: a chart directory in this repository or a reviewed repository/registry prefix from the policy config.",
    severity: "high",
    topics: ["supply-chain", "helm"],
    scope: "production",
    blocks: "production Helm charts from a source outside `allowedSources`",
    remedy: "use a chart from an allowed source, or have the platform team add the source to allowedSources in policy/config/prod.json",
    resourceTypes: HELM_TYPES,
    appliesTo: isHelm,
    params: {
        allowedSources: {
            type: "array",
            items: { type: "string" },
            default: ["./charts/", "https://charts.external-secrets.io/", "https://bitnami-labs.github.io/sealed-secrets/"],
            description: "Prefixes a production chart source must start with (`./charts/` = chart directories of this repository).",
        },
    },
    validate: ({ name, props, config, report }) => {
        const source = chartSourceOf(props);
        const normal = /^(\.\/)?charts\//.test(source) ? `./${source.replace(/^\.\//, "")}` : source;
        if (!config.allowedSources.some((p) => normal.startsWith(p))) {
            report(`Helm chart ${name} comes from ${normal || "an unnamed source"}, which is not an allowed production chart source (${config.allowedSources.join(", ")})`);
        }
    },
});

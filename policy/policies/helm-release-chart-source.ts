import { resourcePolicy } from "../lib/define";
import { peek } from "../lib/props";
import { isRecord, recordField } from "../lib/record";
import { CONFIG_MAP, HELM_TYPES, isHelm } from "../lib/types";

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
    resourceTypes: [...HELM_TYPES, CONFIG_MAP],
    appliesTo: (t) => isHelm(t) || t === CONFIG_MAP,
    params: {
        allowedSources: {
            type: "array",
            items: { type: "string" },
            default: ["./charts/", "https://charts.external-secrets.io/", "https://bitnami-labs.github.io/sealed-secrets/", "https://charts.jetstack.io/", "https://kubernetes-sigs.github.io/external-dns/"],
            description: "Prefixes a production chart source must start with (`./charts/` = chart directories of this repository).",
        },
    },
    validate: ({ args, type, name, props, config, report }) => {
        // The engine shows a helm.v4.Chart component without its inputs: the release record the
        // program writes beside it names the chart's source.
        if (type === CONFIG_MAP && !isRecord({ type, props })) {
            return args.notApplicable(`${name} is not a release record`);
        }
        if (type !== CONFIG_MAP && peek(props, "chart") === undefined) {
            return args.notApplicable(`${name} shows no chart inputs; the release record names its source`);
        }
        const source = type === CONFIG_MAP ? recordField(props, "chartSource") : chartSourceOf(props);
        if (type === CONFIG_MAP && source === "") {
            return args.notApplicable(`${name} records no chart source`);
        }
        // A chart directory of this repository, however written (`charts/app`, `./charts/app`).
        const normal = source !== "" && !source.includes("://") && !source.startsWith("/") ? `./${source.replace(/^\.\//, "")}` : source;
        if (!config.allowedSources.some((p) => normal.startsWith(p))) {
            report(`${type === CONFIG_MAP ? `The release recorded in ConfigMap ${name} runs a chart that` : `Helm chart ${name}`} comes from ${normal || "an unnamed source"}, which is not an allowed production chart source (${config.allowedSources.join(", ")})`);
        }
    },
});

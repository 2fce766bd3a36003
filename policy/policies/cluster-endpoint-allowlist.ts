import { outside, isOpenToAll } from "../lib/cidr";
import { describeCluster, endpointExposure } from "../lib/clusters";
import { resourcePolicy } from "../lib/define";
import { CLUSTER_TYPES, isCluster } from "../lib/types";

export interface Params {
    /** Ranges a public endpoint's allow-list must stay inside; [] accepts any range except 0.0.0.0/0. */
    readonly allowedCidrs: string[];
}

/** A public Kubernetes API endpoint must be restricted to known networks. */
export const clusterEndpointAllowlist = resourcePolicy<Params>({
    name: "cluster-endpoint-allowlist",
    description: "A cluster's Kubernetes API endpoint is private, or public only to an allow-list of known networks.",
    severity: "high",
    topics: ["cluster", "network"],
    scope: "all",
    blocks: "public API endpoint open to every address, or allowing networks outside `allowedCidrs`",
    remedy: "make the endpoint private (delivery:cluster.endpoint.private: true) or list the networks that may reach it (delivery:cluster.endpoint.allowedCidrs)",
    resourceTypes: CLUSTER_TYPES,
    appliesTo: isCluster,
    params: {
        allowedCidrs: {
            type: "array", items: { type: "string" }, default: [],
            description: "CIDRs that public endpoint allow-lists must fall within; empty accepts any range narrower than 0.0.0.0/0.",
        },
    },
    validate: ({ type, name, props, config, report }) => {
        const e = endpointExposure(type, props);
        if (!e.public) {
            return;
        }
        const what = describeCluster(type, name);
        if (e.allowList === undefined) {
            report(`${what} serves its API publicly to every address (${e.setting} is not set)`);
            return;
        }
        const open = e.allowList.filter(isOpenToAll);
        if (open.length > 0) {
            report(`${what} serves its API publicly to every address (${e.setting} includes ${open.join(", ")})`);
            return;
        }
        const stray = config.allowedCidrs.length > 0 ? outside(e.allowList, config.allowedCidrs) : [];
        if (stray.length > 0) {
            report(`${what} allows ${stray.join(", ")} to reach its public API, outside the allowed networks ${config.allowedCidrs.join(", ")}`,
                `restrict delivery:cluster.endpoint.allowedCidrs to ranges inside ${config.allowedCidrs.join(", ")}, or add the range to allowedCidrs in the policy config after review`);
        }
    },
});

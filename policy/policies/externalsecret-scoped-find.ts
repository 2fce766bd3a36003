import { resourcePolicy } from "../lib/define";
import { list, peek } from "../lib/props";
import { EXTERNAL_SECRET, isExternalSecret } from "../lib/types";

const MATCH_ALL = /^\^?\.[*+]\$?$/;

/** An ExternalSecret copies named secrets, not the whole store. */
export const externalsecretScopedFind = resourcePolicy({
    name: "externalsecret-scoped-find",
    description: "ExternalSecrets name what they copy: dataFrom.find must filter by a specific name pattern or tags, never match every secret the store can read.",
    severity: "medium",
    topics: ["secrets", "isolation"],
    scope: "all",
    blocks: "ExternalSecrets whose dataFrom.find copies every secret in the store",
    remedy: "use data[].remoteRef or dataFrom.extract for named secrets (delivery:secrets.secrets), or narrow find.name.regexp / find.tags",
    resourceTypes: [EXTERNAL_SECRET],
    appliesTo: isExternalSecret,
    validate: ({ type, name, props, report }) => {
        const spec = type.endsWith(":ClusterExternalSecret") ? peek(props, "spec", "externalSecretSpec") : peek(props, "spec");
        for (const [i, d] of list(spec, "dataFrom").entries()) {
            const find = peek(d, "find");
            if (find === undefined || find === null) {
                continue;
            }
            const regexp = peek(find, "name", "regexp");
            const tags = peek(find, "tags") as object | undefined;
            const hasTags = tags !== undefined && tags !== null && Object.keys(tags).length > 0;
            if (typeof regexp === "string" && MATCH_ALL.test(regexp) && !hasTags) {
                report(`ExternalSecret ${name}: dataFrom[${i}].find.name.regexp ${JSON.stringify(regexp)} copies every secret the store can read`);
            } else if (regexp === undefined && !hasTags) {
                report(`ExternalSecret ${name}: dataFrom[${i}].find has neither name nor tags, so it copies every secret the store can read`);
            }
        }
    },
});

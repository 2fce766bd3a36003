import { resourcePolicy } from "../lib/define";
import { list, peek } from "../lib/props";
import { isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, podSpecOf } from "../lib/workloads";

/**
 * Mistakes in a rendered container that Kubernetes accepts silently: an env var defined twice (the
 * last one wins, so a value the chart sets is overridden without a word), and ports below 1024,
 * which a non-root container cannot bind.
 */
export const workloadContainerHygiene = resourcePolicy({
    name: "workload-container-hygiene",
    description: "Containers define each env var once (a second definition silently overrides the first) and listen on unprivileged ports (1024 and above).",
    severity: "medium",
    topics: ["workloads"],
    scope: "all",
    blocks: "containers with duplicate env var names, or container ports below 1024",
    remedy: "define each env var once (rename the one in delivery:app.env / delivery:values that collides with the chart's), and listen on a port of 1024 or more",
    resourceTypes: WORKLOAD_TYPES,
    appliesTo: isWorkload,
    validate: ({ type, name, props, report }) => {
        const pod = podSpecOf(type, props);
        if (pod === undefined) {
            return;
        }
        for (const c of containersOf(pod)) {
            const seen = new Set<string>();
            for (const e of list(c.spec, "env")) {
                const n = peek(e, "name");
                if (typeof n !== "string") {
                    continue;
                }
                if (seen.has(n)) {
                    report(`${describeWorkload(type, name)} ${c.label} defines env var ${n} more than once; the last definition silently wins`,
                        `remove or rename the second ${n} (delivery:app.env or delivery:values must not redefine what the chart sets)`);
                }
                seen.add(n);
            }
            for (const p of list(c.spec, "ports")) {
                const port = peek(p, "containerPort");
                if (typeof port === "number" && port < 1024) {
                    report(`${describeWorkload(type, name)} ${c.label} listens on port ${port}, below 1024 (needs root or NET_BIND_SERVICE)`,
                        "listen on 1024 or above (delivery:app.port, or the chart's port value) and map the Service port to it");
                }
            }
        }
    },
});

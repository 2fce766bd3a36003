import { resourcePolicy } from "../lib/define";
import { peek } from "../lib/props";
import { HPA, isHpa } from "../lib/types";

/** An autoscaler whose floor equals its ceiling cannot absorb load: it is a fixed replica count with extra moving parts. */
export const workloadAutoscalerRange = resourcePolicy({
    name: "workload-autoscaler-range",
    description: "Production HorizontalPodAutoscalers can scale: maxReplicas is above minReplicas.",
    severity: "low",
    topics: ["workloads", "availability"],
    scope: "production",
    blocks: "production HPAs with minReplicas equal to maxReplicas",
    remedy: "raise delivery:app.autoscaling.max (or the chart's maxReplicas value) above the floor, or turn autoscaling off",
    resourceTypes: [HPA],
    appliesTo: isHpa,
    validate: ({ name, props, report }) => {
        const min = peek(props, "spec", "minReplicas") ?? 1;
        const max = peek(props, "spec", "maxReplicas");
        if (typeof max === "number" && typeof min === "number" && max <= min) {
            report(`HorizontalPodAutoscaler ${name} has minReplicas ${min} and maxReplicas ${max}: it can never scale`);
        }
    },
});

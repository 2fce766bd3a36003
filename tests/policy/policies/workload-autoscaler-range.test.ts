import { check, fails, pack, passes, resource } from "../fixtures";

const policy = pack("workload-autoscaler-range");
const hpa = (min: number, max: number) => resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api", {
    metadata: { name: "api", namespace: "storefront-prod" }, spec: { minReplicas: min, maxReplicas: max },
});

describe("workload-autoscaler-range", () => {
    it("passes an autoscaler that can scale", async () => {
        passes(await check(policy, hpa(3, 12)));
    });

    it("fails one whose floor is its ceiling", async () => {
        fails(await check(policy, hpa(3, 3)),
            "HorizontalPodAutoscaler api has minReplicas 3 and maxReplicas 3: it can never scale. " +
            "Remedy: raise delivery:app.autoscaling.max (or the chart's maxReplicas value) above the floor, or turn autoscaling off.");
    });
});

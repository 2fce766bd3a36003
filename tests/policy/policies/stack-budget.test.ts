import { checkStack, fails, pack, passes, resource } from "../fixtures";

const policy = pack("stack-budget");
const REMEDY = "Remedy: set delivery:budget: { monthlyUsd: <amount>, recipients: [<email>] } (npm run plan prints the stack's cost estimate).";

describe("stack-budget", () => {
    const clusters = [
        ["EKS", "aws:eks/cluster:Cluster", "aws:budgets/budget:Budget"],
        ["AKS", "azure-native:containerservice:ManagedCluster", "azure-native:consumption:Budget"],
        ["GKE", "gcp:container/cluster:Cluster", "gcp:billing/budget:Budget"],
    ] as const;
    for (const [kind, clusterType, budgetType] of clusters) {
        it(`${kind}: passes with the cloud's budget, fails without one`, async () => {
            const cluster = resource(clusterType, "delivery-prod", {}, { stack: "prod" });
            passes(await checkStack(policy, [cluster, resource(budgetType, "storefront-budget", {}, { stack: "prod" })]));
            fails(await checkStack(policy, [cluster]), `the stack creates the ${kind} cluster delivery-prod but no budget on its cloud (${budgetType}). ${REMEDY}`);
        });
    }

    it("another cloud's budget does not count", async () => {
        fails(await checkStack(policy, [resource("aws:eks/cluster:Cluster", "delivery-prod", {}, { stack: "prod" }), resource("gcp:billing/budget:Budget", "b", {}, { stack: "prod" })]),
            `the stack creates the EKS cluster delivery-prod but no budget on its cloud (aws:budgets/budget:Budget). ${REMEDY}`);
    });

    it("passes a stack on an existing or borrowed cluster (its owner budgets it)", async () => {
        passes(await checkStack(policy, [resource("kubernetes:core/v1:Namespace", "storefront-prod", { metadata: { name: "storefront-prod" } }, { stack: "prod" })]));
    });
});

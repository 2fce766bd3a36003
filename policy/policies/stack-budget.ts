import { stackPolicy } from "../lib/define";
import { CLUSTER_TYPES, clusterKind } from "../lib/types";

/** The budget resource of each cloud, as the program creates it (delivery:budget). */
export const BUDGET_TYPES: Readonly<Record<"EKS" | "AKS" | "GKE", readonly string[]>> = {
    EKS: ["aws:budgets/budget:Budget", "aws-native:budgets:Budget"],
    AKS: ["azure-native:consumption:Budget", "azure:consumption/budgetResourceGroup:BudgetResourceGroup"],
    GKE: ["gcp:billing/budget:Budget"],
};

/**
 * A stack that creates a cluster pays for it: it must also create that cloud's budget with alerts
 * (`delivery:budget`), so a runaway autoscaler or a forgotten environment is noticed within the
 * month. Stacks on an existing or borrowed cluster are budgeted by its owner and pass.
 */
export const stackBudget = stackPolicy({
    name: "stack-budget",
    description: "Requires every stack that creates a cluster (EKS, AKS, GKE) to create that cloud's monthly budget with alerts (delivery:budget).",
    severity: "medium",
    topics: ["cost"],
    scope: "all",
    blocks: "a stack that creates a cluster without a budget on its cloud",
    remedy: "set delivery:budget: { monthlyUsd: <amount>, recipients: [<email>] } (npm run plan prints the stack's cost estimate)",
    resourceTypes: [...CLUSTER_TYPES, ...Object.values(BUDGET_TYPES).flat()],
    validate: ({ resources, report }) => {
        for (const c of resources.filter((r) => clusterKind(r.type) !== undefined)) {
            const kind = clusterKind(c.type)!;
            if (!resources.some((r) => BUDGET_TYPES[kind].includes(r.type))) {
                report(`the stack creates the ${kind} cluster ${c.name} but no budget on its cloud (${BUDGET_TYPES[kind][0]})`, c);
            }
        }
    },
});

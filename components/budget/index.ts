/**
 * The stack's monthly budget on its cloud, with alerts to the recipients at each threshold:
 * - AWS: a Budget filtered by the stack's cost-allocation tag (`stack`, which the program puts on
 *   every resource it creates; activate it once in the billing console);
 * - Azure: a consumption budget on the cluster's resource group;
 * - GCP: a billing budget on the project, narrowed to the stack's label, with an email
 *   notification channel per recipient.
 * Each cloud's module is loaded only when that cloud is used. A stack on an existing or borrowed
 * cluster gets none: the cluster's owner budgets its account.
 */
import * as pulumi from "@pulumi/pulumi";
import { BudgetConfig, ClusterConfig } from "../../config/model";
import { gcpLabelValue } from "../cluster/labels";
import { ClusterIdentity } from "../cluster/types";

export interface BudgetArgs {
    readonly budget: BudgetConfig;
    readonly cluster: ClusterConfig;
    readonly identity: ClusterIdentity;
    readonly stack: string;
    readonly tags: Readonly<Record<string, string>>;
}

export class StackBudget extends pulumi.ComponentResource {
    /** The budget's name in the cloud, or "" when the stack has none. */
    readonly budgetName: pulumi.Output<string>;

    constructor(name: string, args: BudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("delivery:budget:StackBudget", name, {}, opts);
        const parent = { parent: this };
        const b = args.budget;
        const short = args.stack.split("/").pop() ?? args.stack;
        switch (args.cluster.provider) {
            case "aws": {
                const budgets = require("@pulumi/aws/budgets") as typeof import("@pulumi/aws/budgets");
                const budget = new budgets.Budget(name, {
                    name: `delivery-${short}`,
                    budgetType: "COST",
                    timeUnit: "MONTHLY",
                    limitAmount: String(b.monthlyUsd),
                    limitUnit: "USD",
                    costFilters: [{ name: "TagKeyValue", values: [`user:stack$${args.tags.stack ?? args.stack}`] }],
                    notifications: [
                        ...b.thresholds.map((t) => ({
                            comparisonOperator: "GREATER_THAN", threshold: t, thresholdType: "PERCENTAGE", notificationType: "ACTUAL",
                            subscriberEmailAddresses: [...b.recipients],
                        })),
                        { comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", notificationType: "FORECASTED", subscriberEmailAddresses: [...b.recipients] },
                    ],
                    tags: args.tags,
                }, parent);
                this.budgetName = budget.name;
                break;
            }
            case "azure": {
                const consumption = require("@pulumi/azure-native/consumption") as typeof import("@pulumi/azure-native/consumption");
                const authorization = require("@pulumi/azure-native/authorization") as typeof import("@pulumi/azure-native/authorization");
                const client = authorization.getClientConfigOutput({ parent: this });
                const now = new Date(process.env.DELIVERY_NOW ?? Date.now());
                const start = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01T00:00:00Z`;
                const budget = new consumption.Budget(name, {
                    budgetName: `delivery-${short}`,
                    scope: pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${args.identity.resourceGroupName}`,
                    amount: b.monthlyUsd,
                    category: "Cost",
                    timeGrain: "Monthly",
                    timePeriod: { startDate: start },
                    notifications: Object.fromEntries(b.thresholds.map((t) => [`actual-${t}`, {
                        enabled: true, operator: "GreaterThan", threshold: t, thresholdType: "Actual", contactEmails: [...b.recipients],
                    }])),
                }, { ...parent, ignoreChanges: ["timePeriod"] });
                this.budgetName = budget.name;
                break;
            }
            case "gcp": {
                const billing = require("@pulumi/gcp/billing") as typeof import("@pulumi/gcp/billing");
                const monitoring = require("@pulumi/gcp/monitoring") as typeof import("@pulumi/gcp/monitoring");
                const project = args.cluster.project as string;
                const channels = b.recipients.map((email, i) => new monitoring.NotificationChannel(`${name}-mail-${i}`, {
                    project, type: "email", displayName: `delivery ${short} budget: ${email}`, labels: { email_address: email },
                }, parent));
                const budget = new billing.Budget(name, {
                    billingAccount: b.billingAccount as string,
                    displayName: `delivery-${short}`,
                    budgetFilter: { projects: [`projects/${project}`], labels: { stack: gcpLabelValue(args.tags.stack ?? args.stack) } },
                    amount: { specifiedAmount: { currencyCode: "USD", units: String(b.monthlyUsd) } },
                    thresholdRules: [
                        ...b.thresholds.map((t) => ({ thresholdPercent: t / 100, spendBasis: "CURRENT_SPEND" })),
                        { thresholdPercent: 1, spendBasis: "FORECASTED_SPEND" },
                    ],
                    allUpdatesRule: { monitoringNotificationChannels: channels.map((c) => c.name), disableDefaultIamRecipients: false },
                }, parent);
                this.budgetName = budget.displayName.apply((n) => n ?? "");
                break;
            }
            default:
                this.budgetName = pulumi.output("");
        }
        this.registerOutputs({ budgetName: this.budgetName });
    }
}

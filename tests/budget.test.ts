/**
 * Cost per environment: each shipped stack's budget on its cloud (AWS, Azure, GCP under mocks),
 * the budget's validation, and the plan's monthly estimate from the dated price table.
 */
import { strict as assert } from "assert";
import { ConfigValidationError, StackConfig } from "../config";
import { describeCost, estimateCost } from "../config/cost";
import PRICES from "../config/prices.json";
import { cfg, ofType, one, rejects, runStack, stackConfig } from "./harness";
import { parseConfig } from "../config/parse";
import { projectValues, toProgramConfig } from "../tools/offline/stackfile";

const AZURE = cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" }, resourceGroup: null });
const GCP = cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123", nodes: { size: "e2-standard-4" } });
const NO_SECRETS = cfg("secrets", null);
const BILLING = "012345-6789AB-CDEF01";

function parsed(stack: string, ...overrides: Record<string, unknown>[]): StackConfig {
    const { values, secretKeys } = projectValues(toProgramConfig("delivery", {}, stackConfig(stack, ...overrides)));
    return parseConfig({ project: "delivery", stack, values, secretKeys });
}

describe("cost per environment", () => {
    describe("the budget on each cloud", () => {
        it("AWS: a monthly COST budget filtered by the stack's tag, alerting each threshold and the forecast", async () => {
            const ev = await runStack("prod");
            const b = one(ev, "aws:budgets/budget:Budget");
            assert.deepEqual([b.inputs.budgetType, b.inputs.timeUnit, b.inputs.limitAmount, b.inputs.limitUnit], ["COST", "MONTHLY", "2500", "USD"]);
            assert.deepEqual(b.inputs.costFilters, [{ name: "TagKeyValue", values: ["user:stack$prod"] }]);
            assert.deepEqual(b.inputs.notifications.map((n: Record<string, unknown>) => [n.notificationType, n.threshold]), [["ACTUAL", 50], ["ACTUAL", 80], ["ACTUAL", 100], ["FORECASTED", 100]]);
            for (const n of b.inputs.notifications) {
                assert.deepEqual(n.subscriberEmailAddresses, ["platform@acme.example", "storefront-oncall@acme.example"]);
            }
            // The tag the budget filters on is on what the stack creates.
            assert.equal(one(ev, "aws:eks/cluster:Cluster").inputs.tags.stack, "prod");
        });

        it("Azure: a consumption budget on the cluster's resource group", async () => {
            const ev = await runStack("prod", AZURE, NO_SECRETS);
            const b = one(ev, "azure-native:consumption:Budget");
            assert.deepEqual([b.inputs.amount, b.inputs.category, b.inputs.timeGrain], [2500, "Cost", "Monthly"]);
            assert.match(b.inputs.scope, /^\/subscriptions\/[^/]+\/resourceGroups\/rg-delivery-prod$/);
            assert.match(b.inputs.timePeriod.startDate, /^\d{4}-\d{2}-01T00:00:00Z$/);
            assert.deepEqual(Object.keys(b.inputs.notifications).sort(), ["actual-100", "actual-50", "actual-80"]);
            assert.deepEqual(b.inputs.notifications["actual-80"].contactEmails, ["platform@acme.example", "storefront-oncall@acme.example"]);
            assert.equal(ofType(ev, "aws:budgets/budget:Budget").length, 0);
        });

        it("GCP: a billing budget on the project and the stack's label, an email channel per recipient", async () => {
            const ev = await runStack("prod", GCP, NO_SECRETS, cfg("budget", { monthlyUsd: 2500, recipients: ["platform@acme.example"], billingAccount: BILLING }));
            const b = one(ev, "gcp:billing/budget:Budget");
            assert.equal(b.inputs.billingAccount, BILLING);
            assert.deepEqual(b.inputs.budgetFilter, { projects: ["projects/acme-prod-123"], labels: { stack: "prod" } });
            assert.deepEqual(b.inputs.amount, { specifiedAmount: { currencyCode: "USD", units: "2500" } });
            assert.deepEqual(b.inputs.thresholdRules.map((t: Record<string, unknown>) => [t.thresholdPercent, t.spendBasis]), [[0.5, "CURRENT_SPEND"], [0.8, "CURRENT_SPEND"], [1, "CURRENT_SPEND"], [1, "FORECASTED_SPEND"]]);
            const channels = ofType(ev, "gcp:monitoring/notificationChannel:NotificationChannel");
            assert.deepEqual(channels.map((c) => [c.inputs.type, c.inputs.labels.email_address]), [["email", "platform@acme.example"]]);
        });

        it("GCP without a billing account is a configuration error naming the key", async () => {
            await rejects(runStack("prod", GCP, NO_SECRETS), "delivery:budget.billingAccount: is required but not set");
        });

        it("every shipped stack has a budget; a stack without delivery:budget creates none", async () => {
            for (const stack of ["dev", "staging", "prod"]) {
                assert.ok(parsed(stack).budget !== undefined, stack);
            }
            assert.equal(ofType(await runStack("dev", cfg("budget", null)), "aws:budgets/budget:Budget").length, 0);
        });
    });

    describe("validation", () => {
        it("refuses a zero budget, an empty recipient list, a bad address and a threshold out of range, all at once", () => {
            try {
                parsed("dev", cfg("budget", { monthlyUsd: 0, recipients: [], thresholds: [0, 80] }));
                assert.fail("expected a rejection");
            } catch (e) {
                assert.ok(e instanceof ConfigValidationError, String(e));
                const keys = e.issues.map((i) => i.key);
                assert.deepEqual(keys.sort(), ["delivery:budget.monthlyUsd", "delivery:budget.recipients", "delivery:budget.thresholds[0]"].sort(), e.message);
            }
            assert.throws(() => parsed("dev", cfg("budget", { monthlyUsd: 100, recipients: ["platform"] })), /delivery:budget\.recipients\[0\]: must be an email address; got "platform"/);
        });
    });

    describe("the plan's monthly estimate", () => {
        it("prices nodes at the autoscaling floor and ceiling, the cluster fee, NAT gateways and the ingress load balancer", () => {
            const prod = estimateCost(parsed("prod"));
            const hours = PRICES.hoursPerMonth;
            const node = PRICES.aws.nodesPerHour["m6i.xlarge"];
            const nodes = prod.lines.find((l) => l.item.startsWith("nodes"))!;
            assert.deepEqual([nodes.item, nodes.floorUsd, nodes.ceilingUsd], ["nodes: 3–9 × m6i.xlarge", Math.round(3 * node * hours * 100) / 100, Math.round(9 * node * hours * 100) / 100]);
            assert.ok(prod.lines.some((l) => l.item === "NAT gateways: 3"), "prod has a NAT gateway per zone");
            assert.ok(estimateCost(parsed("dev")).lines.some((l) => l.item === "NAT gateways: 1"));
            assert.ok(prod.lines.some((l) => l.item === "load balancer (ingress)"));
            assert.ok(prod.ceilingUsd > prod.floorUsd);
            assert.equal(prod.priceDate, PRICES.date);
        });

        it("each shipped stack's ceiling fits its budget, and grows dev → staging → prod", () => {
            const [dev, staging, prod] = ["dev", "staging", "prod"].map((s) => ({ cfg: parsed(s), cost: estimateCost(parsed(s)) }));
            for (const s of [dev, staging, prod]) {
                assert.ok(s.cost.ceilingUsd <= s.cfg.budget!.monthlyUsd, `${s.cfg.stack}: ${s.cost.ceilingUsd} > ${s.cfg.budget!.monthlyUsd}`);
                assert.deepEqual(s.cost.unpriced, []);
            }
            assert.ok(dev.cost.ceilingUsd < staging.cost.ceilingUsd && staging.cost.ceilingUsd < prod.cost.ceilingUsd);
        });

        it("the plan says so when the ceiling exceeds the budget, and when a size is not in the table", () => {
            const prod = parsed("prod");
            const over = describeCost("prod", estimateCost(prod), { monthlyUsd: 1000 });
            assert.ok(over.some((l) => /OVER BUDGET: the ceiling \(\$\d+\.\d\d\) exceeds delivery:budget\.monthlyUsd \(\$1000\.00\)/.test(l)), over.join("\n"));
            const odd = estimateCost(parsed("prod", cfg("cluster", { nodes: { size: "x9.huge" } })));
            assert.deepEqual(odd.unpriced, ["node size x9.huge is not in config/prices.json (aws)"]);
            assert.deepEqual(estimateCost({ ...prod, cluster: { ...prod.cluster, provider: "existing" } }).lines, []);
        });
    });
});

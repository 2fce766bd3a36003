import { checkStack, fails, pack, passes, resource } from "../fixtures";

const policy = pack("stack-gate-override");
const record = (data: Record<string, string>, stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: `storefront-${stack}`, labels: { "delivery.example.com/record": "promotion" } }, data,
}, { stack });

describe("stack-gate-override", () => {
    it("passes a record without an override", async () => {
        passes(await checkStack(policy, [record({ version: "1.8.3", source: "upstream", override: "" })]));
        passes(await checkStack(policy, [record({ version: "1.8.3", source: "upstream" })]));
    });

    it("reports an override with its gates and reason, in every environment", async () => {
        const override = JSON.stringify({ gates: ["soak", "freeze"], reason: "INC-2300: checkout hotfix" });
        fails(await checkStack(policy, [record({ version: "1.9.1", source: "upstream", override })]),
            "the release recorded in storefront-record (1.9.1) overrides soak, freeze with delivery:override: INC-2300: checkout hotfix. " +
            "Remedy: once the emergency is over, remove delivery:override so the soak and freeze windows hold again.");
        fails(await checkStack(policy, [record({ version: "1.9.1", source: "upstream", override: JSON.stringify({ gates: ["freeze"], reason: "INC-9: security fix" }) }, "staging")]),
            "the release recorded in storefront-record (1.9.1) overrides freeze with delivery:override: INC-9: security fix. " +
            "Remedy: once the emergency is over, remove delivery:override so the soak and freeze windows hold again.");
    });
});

import { checkStack, fails, notApplicable, pack, passes, resource } from "../fixtures";

const policy = pack("stack-emergency-pin");
const record = (data: Record<string, string>, stack = "prod") => resource("kubernetes:core/v1:ConfigMap", "storefront-record", {
    metadata: { name: "storefront-release-record", namespace: `storefront-${stack}`, labels: { "delivery.example.com/record": "promotion" } }, data,
}, { stack });

describe("stack-emergency-pin", () => {
    it("passes a release promoted from staging, or a pin to a release staging ran", async () => {
        passes(await checkStack(policy, [record({ version: "1.8.3", source: "upstream", emergency: "false" })]));
        passes(await checkStack(policy, [record({ version: "1.8.2", source: "pin", emergency: "false", pinReason: "INC-1" })]));
    });

    it("reports an emergency pin with its reason", async () => {
        fails(await checkStack(policy, [record({ version: "1.7.9", source: "pin", emergency: "true", pinReason: "INC-2300: hotfix, staging is down" })]),
            "the release recorded in storefront-record (1.7.9) is an emergency pin that skips the upstream chain: INC-2300: hotfix, staging is down. " +
            "Remedy: once the emergency is over, pin a release staging ran, or remove delivery:pin to follow staging again.");
    });

    it("does not apply outside production", async () => {
        notApplicable(await checkStack(policy, [record({ version: "1.7.9", emergency: "true" }, "staging")]), "production only");
    });
});

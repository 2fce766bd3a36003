import { DEV_LABELS, checkStack, esoRelease, fails, notApplicable, pack, passes, record, recordData, release, stackReference } from "../fixtures";

const policy = pack("stack-promotion-from-staging");
const REMEDY = "Remedy: remove delivery:release from the production stack and set delivery:promotion.from to the staging stack; to hold a version, set delivery:pin with version and reason.";
const data = (changes: Record<string, string>) => ({ ...recordData(), ...changes });

describe("stack-promotion-from-staging", () => {
    it("passes a release promoted from staging through a StackReference", async () => {
        passes(await checkStack(policy, [stackReference(), record(), release()]));
    });

    it("passes on the record's list of references alone, as the engine shows a stack (reads are not analyzed)", async () => {
        passes(await checkStack(policy, [record(), release()]));
    });

    it("passes a pin with a recorded reason", async () => {
        passes(await checkStack(policy, [record(data({ source: "pin", pinned: "true", pinReason: "INC-2291: 1.8.3 leaks connections" })), release()]));
    });

    it("fails a pin without a reason", async () => {
        fails(await checkStack(policy, [record(data({ source: "pin", pinned: "true", pinReason: "" })), release()]),
            "Release record storefront-record pins production without a reason. Remedy: set delivery:pin.reason to the incident or ticket and why the pin is needed.");
    });

    it("fails a pin whose reason says nothing", async () => {
        fails(await checkStack(policy, [record(data({ source: "pin", pinned: "true", pinReason: "rollback" })), release()]),
            'Release record storefront-record pins production with the reason "rollback", shorter than 10 characters. Remedy: set delivery:pin.reason to the incident or ticket and why the pin is needed.');
    });

    it("fails a production release set in its own config", async () => {
        fails(await checkStack(policy, [record(data({ source: "config", upstreamStack: "" })), release()]),
            `Release record storefront-record says production's release was set in its own config instead of promoted from staging. ${REMEDY}`);
    });

    it("fails a promotion from a stack that is not staging", async () => {
        fails(await checkStack(policy, [stackReference("organization/delivery/dev"), record(data({ upstreamStack: "organization/delivery/dev" })), release()]),
            `Release record storefront-record says production was promoted from organization/delivery/dev, which is not a staging stack. ${REMEDY}`);
    });

    it("fails a record whose source the stack does not reference", async () => {
        fails(await checkStack(policy, [record(data({ stackReferences: "" })), release()]),
            "Release record storefront-record names organization/delivery/staging as the source, but the stack has no StackReference to it (the record's stackReferences: none). Remedy: promote through the promotion component, which reads the upstream stack's release output.");
    });

    it("fails an app release without a release record", async () => {
        fails(await checkStack(policy, [stackReference(), release(), esoRelease()]),
            "Production deploys storefront-helm without a release record (ConfigMap labelled delivery.example.com/record=promotion), so where the release came from cannot be checked. Remedy: deploy the app through the AppRelease component, which records its promotion.");
    });

    it("does not apply to development, which takes its release from config", async () => {
        const dev = { ...recordData(), environment: "development", source: "config", upstreamStack: "" };
        notApplicable(await checkStack(policy, [record(dev, { stack: "dev" }, DEV_LABELS)]), "production only; this stack is development");
    });
});

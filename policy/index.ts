/**
 * Entry point the Pulumi CLI runs for `--policy-pack policy`. `new PolicyPack` starts the
 * analyzer's gRPC server and reads ./package.json from the working directory, so nothing else
 * (tests, the offline plan) imports this file: they import ./pack.
 */
import { PolicyPack } from "@pulumi/policy";
import { DEFAULT_ENFORCEMENT_LEVEL } from "./lib/define";
import { PACK_DESCRIPTION, PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, {
    description: PACK_DESCRIPTION,
    enforcementLevel: DEFAULT_ENFORCEMENT_LEVEL,
    policies: [...policies],
});

/**
 * Pulumi Deployments for the delivery stacks (dev, staging, prod): deployment settings, drift
 * schedules and policy groups. A separate project because a stack cannot safely change the
 * settings of the deployment that is running it. See deployments/README.md.
 */
import { deployStacks } from "./program";

export = async () => deployStacks();

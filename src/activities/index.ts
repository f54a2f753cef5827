/**
 * All activities, created with their dependencies so tests can pass clients pointed at the simulator.
 * Workflows import only the *type* of this object.
 */
import { AwsClientFactory } from './aws-clients';
import { SharedRequests } from './shared-requests';
import { createSpendActivities } from './spend';

export function createActivities(clients: AwsClientFactory = new AwsClientFactory(), shared = new SharedRequests()) {
  return {
    ...createSpendActivities(clients, shared),
  };
}

export type Activities = ReturnType<typeof createActivities>;

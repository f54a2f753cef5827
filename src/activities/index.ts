/**
 * All activities, created with their dependencies so tests can pass clients pointed at the simulator.
 * Workflows import only the *type* of this object.
 */
import { createAwsClients, type AwsClients } from './aws-clients';
import { createSpendActivities } from './spend';

export function createActivities(clients: AwsClients = createAwsClients()) {
  return {
    ...createSpendActivities(clients),
  };
}

export type Activities = ReturnType<typeof createActivities>;

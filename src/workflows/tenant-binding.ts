/**
 * The worker's tenant-binding check as a workflow step, shared by the analysis workflow and by agent
 * workflows started on their own: the `checkTenantBinding` activity refuses (non-retryably, before any AWS
 * call) accounts outside the tenant's binding.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { checkTenantBinding } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Refusals are non-retryable; an Organizations look-up that fails is retried.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function checkBinding(tenant: string, accounts: readonly string[]): Promise<void> {
  await checkTenantBinding.executeWithOptions({ summary: `Check that ${tenant} may analyse ${accounts.join(', ')}` }, [
    { tenant, accounts },
  ]);
}

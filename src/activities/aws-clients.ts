/**
 * AWS SDK v3 clients, one per process and service. Endpoints, regions and credentials come from the
 * SDK's own configuration (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL[_<SERVICE>], the default
 * credential chain), so the sample account and a real account differ only in environment.
 */
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';

/** Cost Explorer's API lives in us-east-1 whatever region the account uses. */
export const COST_EXPLORER_REGION = 'us-east-1';

export interface AwsClients {
  costExplorer: CostExplorerClient;
}

export interface AwsClientOptions {
  /** Override every client's endpoint (tests point this at the simulator). Normally unset. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call by the SDK (adaptive mode backs off on throttling). Activities retry beyond this. */
  maxAttempts?: number;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? 4,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return {
    costExplorer: new CostExplorerClient({ ...common, region: COST_EXPLORER_REGION }),
  };
}

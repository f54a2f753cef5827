/**
 * A real Temporal dev server for tests, started through the SDK's test environment with the
 * project-provisioned CLI binary (never a download).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { payloadReferenceConverter } from '../../src/payload-references';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  const path = ensureTemporalCli((line) => console.error(line));
  return TestWorkflowEnvironment.createLocal({
    // As the gateway's client: large payloads (reports, agents' results) are read back from the store.
    client: { dataConverter: payloadReferenceConverter() },
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

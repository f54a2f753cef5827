/**
 * A real Temporal dev server for tests, started through the SDK's test environment with the
 * project-provisioned CLI binary (never a download).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { LocalFileStore } from '../../src/activities/store';
import { payloadReferenceConverter } from '../../src/payload-references';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

/**
 * `storeDir`: the artefact store of workers run as separate processes (their FINOPS_STORE_DIR), so the
 * test's client reads large payloads where they wrote them; default: the store from this process's environment.
 */
export async function startTemporal(options: { storeDir?: string } = {}): Promise<TestWorkflowEnvironment> {
  const path = ensureTemporalCli((line) => console.error(line));
  return TestWorkflowEnvironment.createLocal({
    // As the gateway's client: large payloads (reports, agents' results) are read back from the store.
    client: { dataConverter: payloadReferenceConverter(options.storeDir ? new LocalFileStore(options.storeDir) : undefined) },
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

/**
 * Worker Versioning: each worker says which worker deployment it belongs to and which build of the code it
 * runs (FINOPS_WORKER_DEPLOYMENT_NAME, FINOPS_WORKER_BUILD_ID). Analyses are PINNED: one that started on a
 * build finishes on that build, so new workflow code never takes over running analyses (patched() and the
 * replay tests remain the guard for code that does run old histories, e.g. a fix shipped to a pinned build).
 * New analyses go to the deployment's current version, which an operator moves once the new build's
 * workers are up (`temporal worker deployment set-current-version`; the README's rollout steps).
 * Unset (the dev stack, tests): unversioned, as before.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError, ENV } from '../config';

export interface WorkerVersion {
  deploymentName: string;
  buildId: string;
}

/** Temporal's limits: a deployment name has no dots (it joins the build ID with one); both at most 255 characters. */
const NAME = /^[^.\s]{1,255}$/;
const BUILD_ID = /^\S{1,255}$/;

export function workerVersionFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerVersion | undefined {
  const deploymentName = env[ENV.workerDeploymentName]?.trim();
  const buildId = env[ENV.workerBuildId]?.trim();
  if (!deploymentName && !buildId) return undefined;
  if (!deploymentName || !buildId) {
    throw new ConfigError(
      `Worker Versioning needs both ${ENV.workerDeploymentName} and ${ENV.workerBuildId} (only ${deploymentName ? ENV.workerDeploymentName : ENV.workerBuildId} is set)`,
    );
  }
  if (!NAME.test(deploymentName)) throw new ConfigError(`${ENV.workerDeploymentName} must be 1-255 characters without dots or spaces (got ${JSON.stringify(deploymentName)})`);
  if (!BUILD_ID.test(buildId)) throw new ConfigError(`${ENV.workerBuildId} must be 1-255 characters without spaces (got ${JSON.stringify(buildId)})`);
  return { deploymentName, buildId };
}

/** The worker options for a version: versioned, analyses pinned to the build that started them. */
export function workerDeploymentOptions(version: WorkerVersion): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  return { workerDeploymentOptions: { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } };
}

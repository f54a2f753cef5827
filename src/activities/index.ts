/**
 * All activities, created with their dependencies so tests can pass clients pointed at the simulator.
 * Workflows import only the *type* of this object.
 */
import { resolveThresholds, type ThresholdOverrides } from '../domain/checks/thresholds';
import { createCommitmentActivities } from './agents/commitments';
import { createComputeActivities } from './agents/compute';
import { createDatabaseActivities } from './agents/database';
import { createForecastingActivities } from './agents/forecasting';
import { createMergeActivities } from './agents/merge';
import { createFindingStateActivities } from './finding-states';
import { createStorageActivities } from './agents/storage';
import { createTaggingActivities } from './agents/tagging';
import { createTrustedAdvisorActivities } from './agents/trusted-advisor';
import { AwsClientFactory } from './aws-clients';
import { createLlmActivities, type LlmActivityOptions } from './llm';
import { CostReads } from './cost-reads';
import { InventoryReads } from './inventory-reads';
import { PriceQueries } from './agents/pricing';
import { SharedRequests } from './shared-requests';
import { createOrganizationActivities } from './organization';
import { createSpendActivities } from './spend';
import { createReviewActivities, type DestinationConfig } from './review';
import { storeFromEnv, type ArtefactStore, type ListableStore } from './store';
import { createReportActivities, ReportStore } from './reports';
import { reportRetentionDays } from '../config';
import { createTenancyActivities, TenantBindings } from './tenancy';
import { createTimelineActivities } from './timeline';

export interface ActivityOptions {
  /** Where findings and other large artefacts go (default: S3 if FINOPS_STORE_BUCKET is set, else FINOPS_STORE_DIR or .data/store). */
  store?: ArtefactStore;
  /** Threshold overrides; the defaults are calibrated in src/domain/checks/thresholds.ts. */
  thresholds?: ThresholdOverrides;
  /** The clock the storage and forecasting agents read "today" from (tests set the sample account's anchor date). */
  now?: () => Date;
  /** The S3 Storage Lens configuration that publishes to CloudWatch (default FINOPS_STORAGE_LENS_CONFIGURATION_ID, else discovered). */
  storageLensConfigurationId?: string;
  /** Weekly reviews: delivery destinations per tenant (default: FINOPS_REVIEW_DESTINATIONS[_FILE]) and the dashboard URL. */
  reviewDestinations?: DestinationConfig;
  dashboardUrl?: string;
  /** Bedrock for the executive summary (default: FINOPS_BEDROCK_MODEL_ID...; unset means the deterministic writer). */
  llm?: LlmActivityOptions;
  /** Which accounts each tenant may analyse (default: single tenant, nothing bound). */
  tenancy?: TenantBindings;
  /** Where completed reports are kept (default: in `store` when it can list, else FINOPS_STORE_*; retention FINOPS_REPORT_RETENTION_DAYS). */
  reports?: ReportStore;
}

function isListable(store: ArtefactStore): store is ListableStore {
  return typeof (store as Partial<ListableStore>).listKeys === 'function' && typeof (store as Partial<ListableStore>).delete === 'function';
}

export function createActivities(
  clients: AwsClientFactory = new AwsClientFactory(),
  shared = new SharedRequests(),
  options: ActivityOptions = {},
) {
  const tenancy = options.tenancy ?? TenantBindings.single();
  const deps = {
    clients,
    store: options.store ?? storeFromEnv(),
    thresholds: resolveThresholds(options.thresholds),
    now: options.now ?? (() => new Date()),
    inventories: new InventoryReads(clients),
    priceQueries: new PriceQueries(),
  };
  const reads = new CostReads(clients, deps.store, shared, deps.now);
  return {
    ...createSpendActivities(reads),
    ...createOrganizationActivities(clients, tenancy),
    ...createComputeActivities(deps),
    ...createDatabaseActivities(deps),
    ...createTrustedAdvisorActivities(deps),
    ...createCommitmentActivities(deps),
    ...createMergeActivities(deps),
    ...createTimelineActivities(deps.store),
    ...createFindingStateActivities(deps),
    ...storageTaggingForecasting(clients, deps.store, reads, deps.inventories, options),
    ...createReviewActivities({
      store: deps.store,
      ...(options.reviewDestinations ? { destinations: options.reviewDestinations } : {}),
      ...(options.dashboardUrl ? { dashboardUrl: options.dashboardUrl } : {}),
    }),
    ...createLlmActivities(options.llm),
    ...createTenancyActivities(tenancy),
    ...createReportActivities(options.reports ?? new ReportStore(isListable(deps.store) ? deps.store : storeFromEnv(), reportRetentionDays())),
  };
}

/** The S3, tagging and forecasting agents' activities. */
function storageTaggingForecasting(
  clients: AwsClientFactory,
  store: ArtefactStore,
  reads: CostReads,
  inventories: InventoryReads,
  options: ActivityOptions,
) {
  const now = options.now ?? (() => new Date());
  const lens = options.storageLensConfigurationId ?? process.env.FINOPS_STORAGE_LENS_CONFIGURATION_ID;
  return {
    ...createStorageActivities(clients, { store, now, ...(lens ? { storageLensConfigurationId: lens } : {}) }),
    ...createTaggingActivities(clients, { store, reads, inventories }),
    ...createForecastingActivities(clients, { now, reads }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

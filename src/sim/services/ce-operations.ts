/** The Cost Explorer operations beyond GetCostAndUsage(WithResources), for costExplorerService(). */
import type { JsonOperationHandler } from '../protocols/json';
import type { Scenario } from '../scenario';
import { costExplorerCommitmentOperations } from './ce-commitments';
import { getCostForecast } from './ce-forecast';
import { getAnomalies, getTags } from './ce-insights';
import {
  getReservationPurchaseRecommendation,
  getRightsizingRecommendation,
  getSavingsPlansPurchaseRecommendation,
} from './ce-recommendations';

export function costExplorerExtraOperations(scenario: Scenario): Record<string, JsonOperationHandler> {
  return {
    GetCostForecast: (input, context) => getCostForecast(scenario, input, context.request),
    GetRightsizingRecommendation: (input, context) => getRightsizingRecommendation(scenario, input, context.request),
    GetSavingsPlansPurchaseRecommendation: (input, context) =>
      getSavingsPlansPurchaseRecommendation(scenario, input, context.request),
    GetReservationPurchaseRecommendation: (input, context) =>
      getReservationPurchaseRecommendation(scenario, input, context.request),
    GetAnomalies: (input, context) => getAnomalies(scenario, input, context.request),
    GetTags: (input, context) => getTags(scenario, input, context.request),
    ...costExplorerCommitmentOperations(scenario),
  };
}

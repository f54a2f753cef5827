/** The forecasts and anomalies agent: our forecast beside Cost Explorer's, its backtest, unusual days, budgets. */
import { ActivityCancellationType, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { formatUsd } from '../../domain/money';
import type { AgentResult } from '../../domain/report';
import { addUsage } from '../../domain/usage';
import { AGENT_HEARTBEAT_TIMEOUT, checkAgentTenantBinding, withSpendRead, reportToParent, spendReadsOf, type AgentInput } from './common';
import { webUiMarkdown } from '../../presentation/web-ui';

const { analyseForecast } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

export async function forecastingAgent(input: AgentInput): Promise<AgentResult> {
  await checkAgentTenantBinding(input);
  const forecastAndAnomalies = (alongside: boolean) => {
    reportToParent({ agent: 'forecasting', state: 'running', step: 'Forecasting, backtesting and looking for anomalies' });
    return analyseForecast.executeWithOptions({ summary: `Forecast, anomalies and budgets for ${input.accounts.join(', ')}` }, [
      {
        analysisId: input.analysisId,
        accounts: input.accounts,
        ...(input.asOf ? { asOf: input.asOf } : {}),
        // Alongside the spend agent, the forecast joins its reads before cutting its history from them.
        ...(alongside ? { spend: spendReadsOf(input) } : {}),
      },
    ]);
  };
  const [spend, result] = await withSpendRead(input, forecastAndAnomalies);
  const { forecast } = result;
  setCurrentDetails(webUiMarkdown(
    `**Forecast and trend** — done. Next ${forecast.horizonDays} days ${formatUsd(forecast.total.mean)}` +
      (forecast.backtest ? ` (backtest MAPE ${forecast.backtest.mape}%, naive ${forecast.backtest.naiveMape}%)` : '') +
      `; ${forecast.anomalies.length} anomal${forecast.anomalies.length === 1 ? 'y' : 'ies'}.`,
  ));
  return {
    ...spend,
    costExplorerRequests: spend.costExplorerRequests + result.costExplorerRequests,
    thresholds: { horizonDays: forecast.horizonDays, intervalLevel: forecast.intervalLevel, anomalyThresholdSigma: 4 },
    usage: addUsage(result.usage, spend.usage ?? { requests: { 'ce:GetCostAndUsage': spend.costExplorerRequests }, metricsRequested: 0 }),
    notes: result.notes,
    forecast,
  };
}

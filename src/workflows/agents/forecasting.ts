/** The forecasts and anomalies agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function forecastingAgent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

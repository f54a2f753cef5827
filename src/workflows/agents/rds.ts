/** The RDS databases agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function rdsAgent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

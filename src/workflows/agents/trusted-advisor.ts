/** The Trusted Advisor agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function trustedAdvisorAgent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

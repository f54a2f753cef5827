/** The tag compliance agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function taggingAgent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

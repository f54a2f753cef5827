/** The S3 storage agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function s3Agent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

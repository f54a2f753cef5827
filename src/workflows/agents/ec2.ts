/** The EC2, EBS, Elastic IPs and snapshots agent. */
import type { AgentResult } from '../../domain/report';
import { runSpendAgent, type AgentInput } from './common';

export async function ec2Agent(input: AgentInput): Promise<AgentResult> {
  return runSpendAgent(input);
}

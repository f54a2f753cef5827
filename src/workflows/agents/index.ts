/** Every agent workflow, by agent kind. */
import type { AgentKind } from '../../domain/agents';
import type { AgentResult } from '../../domain/report';
import type { AgentInput } from './common';
import { ec2Agent } from './ec2';
import { forecastingAgent } from './forecasting';
import { rdsAgent } from './rds';
import { s3Agent } from './s3';
import { taggingAgent } from './tagging';
import { trustedAdvisorAgent } from './trusted-advisor';

export type { AgentInput } from './common';
export { ec2Agent, forecastingAgent, rdsAgent, s3Agent, taggingAgent, trustedAdvisorAgent };

export const AGENT_WORKFLOWS = {
  ec2: ec2Agent,
  s3: s3Agent,
  rds: rdsAgent,
  tagging: taggingAgent,
  forecasting: forecastingAgent,
  'trusted-advisor': trustedAdvisorAgent,
} satisfies Record<AgentKind, (input: AgentInput) => Promise<AgentResult>>;

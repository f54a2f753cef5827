/**
 * The agents of an analysis and the slice of the bill each one owns.
 *
 * Service names are Cost Explorer's SERVICE dimension values, exactly as AWS bills them.
 */
export const AGENT_KINDS = ['ec2', 's3', 'rds', 'tagging', 'forecasting', 'trusted-advisor'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export function isAgentKind(value: unknown): value is AgentKind {
  return typeof value === 'string' && (AGENT_KINDS as readonly string[]).includes(value);
}

export const CE_SERVICE = {
  ec2Compute: 'Amazon Elastic Compute Cloud - Compute',
  ec2Other: 'EC2 - Other',
  s3: 'Amazon Simple Storage Service',
  rds: 'Amazon Relational Database Service',
  cloudWatch: 'AmazonCloudWatch',
  supportBusiness: 'AWS Support (Business)',
  supportEnterprise: 'AWS Support (Enterprise)',
  supportDeveloper: 'AWS Support (Developer)',
} as const;

export interface AgentDescription {
  title: string;
  /** Cost Explorer SERVICE values whose spend this agent reports; `null` means the whole bill. */
  services: readonly string[] | null;
}

export const AGENTS: Record<AgentKind, AgentDescription> = {
  ec2: { title: 'EC2 (instances, EBS, Elastic IPs, snapshots)', services: [CE_SERVICE.ec2Compute, CE_SERVICE.ec2Other] },
  s3: { title: 'S3 storage', services: [CE_SERVICE.s3] },
  rds: { title: 'RDS databases', services: [CE_SERVICE.rds] },
  tagging: { title: 'Tagging compliance', services: null },
  forecasting: { title: 'Forecast and trend', services: null },
  'trusted-advisor': {
    title: 'Trusted Advisor',
    services: [CE_SERVICE.supportBusiness, CE_SERVICE.supportEnterprise, CE_SERVICE.supportDeveloper],
  },
};

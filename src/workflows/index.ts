/** Every workflow the worker registers. Only deterministic code reachable from here. */
export { analysis } from './analysis';
export { ec2Agent, forecastingAgent, rdsAgent, s3Agent, taggingAgent, trustedAdvisorAgent } from './agents/index';
export { weeklyReview } from './review';

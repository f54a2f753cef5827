/**
 * Messages shared by workflows and clients (gateway, CLI, tests). Import these constants on both sides.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AgentProgressUpdate, AnalysisProgress } from '../domain/progress';

/** Live progress of an analysis. Cheap and side-effect free: the gateway polls it. */
export const progressQuery = defineQuery<AnalysisProgress>('progress');

/** Sent by each agent child to its parent analysis when its state or step changes. */
export const agentProgressSignal = defineSignal<[AgentProgressUpdate]>('agentProgress');

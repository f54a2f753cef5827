/**
 * Custom search attributes, so runs can be listed and filtered in the Web UI and by the gateway:
 *   FinopsTenant = 'acme' AND FinopsKind = 'analysis'
 * The dev stack registers them at server start; in production register them once with
 * `temporal operator search-attribute create` (see README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TENANT = defineSearchAttributeKey('FinopsTenant', SearchAttributeType.KEYWORD);
/** Every account the run covers. */
export const ACCOUNT = defineSearchAttributeKey('FinopsAccount', SearchAttributeType.KEYWORD_LIST);
/** 'analysis' for the parent, 'agent' for its children (later: 'review'). */
export const KIND = defineSearchAttributeKey('FinopsKind', SearchAttributeType.KEYWORD);
export const AGENT = defineSearchAttributeKey('FinopsAgent', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [TENANT, ACCOUNT, KIND, AGENT] as const;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeCliArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type] ?? key.type}`]);
}

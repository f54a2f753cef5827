/**
 * AWS Organizations as requests and bindings name it: OU and root IDs in AWS's shapes, and the
 * organisation scope a request may give instead of listing accounts. Plain values; the look-ups are
 * I/O and live in src/activities/organization.ts.
 */

/** ou-<root id part>-<ou part>, as AWS Organizations prints them. */
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** A root (r-…) or an OU (ou-…-…): what ListAccountsForParent takes as ParentId. */
export const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * Analyse an organisation's accounts instead of a list: the active member accounts under these OUs (their
 * child OUs included), or with no OUs every account of the organisation. The worker discovers them with
 * the management account's credentials when the analysis starts.
 */
export interface OrganizationScope {
  /** OU or root IDs; absent: the whole organisation. */
  ous?: string[];
}

/** How a report and a summary name the scope: "OU ou-ab12-34cd56ef" or "the whole organisation". */
export function describeOrganizationScope(scope: OrganizationScope): string {
  if (!scope.ous?.length) return 'the whole organisation';
  return `${scope.ous.length === 1 ? 'OU' : 'OUs'} ${scope.ous.join(', ')}`;
}

/**
 * Each section of the report view on one line: what it shows, or why it shows nothing. For the places
 * with room for a sentence per section: the weekly review's Slack and webhook messages, the Temporal
 * Web UI's details.
 */
import type { ReportView, SectionId } from './model';

export interface SectionLine {
  id: SectionId;
  title: string;
  /** "Compliant by count 65% (26 of 40 resources); Compliant by spend 76.5% …" or the reason it is empty. */
  text: string;
  empty: boolean;
}

export function sectionLines(view: ReportView, facts = 3): SectionLine[] {
  return view.sections
    .filter((s) => s.id !== 'summary')
    .map((s) => ({
      id: s.id,
      title: s.title,
      empty: s.empty !== undefined,
      text:
        s.empty ??
        (s.facts.length
          ? s.facts
              .slice(0, facts)
              .map((f) => `${f.label} ${f.text}${f.note ? ` (${f.note})` : ''}`)
              .join('; ')
          : (s.notes[0] ?? '')),
    }));
}

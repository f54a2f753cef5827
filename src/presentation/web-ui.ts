/**
 * Text for the Temporal Web UI (a workflow's current details and summaries), which renders Markdown
 * with math: `$…$` would be typeset, so every dollar sign is escaped (format.ts webUiText). Pure and
 * deterministic: called from workflow code.
 */
import type { AnalysisProgress } from '../domain/progress';
import type { ReportView } from './model';
import { headlineText } from './build';
import { webUiText } from './format';

/** The analysis's current details: the overall step and a table of agents and where each one is. */
export function progressDetails(progress: AnalysisProgress): string {
  const rows = progress.agents.map((a) => `| ${webUiText(a.title)} | ${a.state} | ${webUiText(a.step)} |`);
  return [`**${webUiText(progress.step)}**`, '', '| Agent | State | Step |', '|---|---|---|', ...rows].join('\n');
}

/** The finished analysis's details: headline figures and each section's state, from the view model. */
export function reportDetails(view: ReportView): string {
  const lines = [`**${webUiText(view.statusText)}.** ${webUiText(headlineText(view))}`, '', '| Section | Shows |', '|---|---|'];
  for (const s of view.sections) {
    if (s.id === 'headline' || s.id === 'summary') continue;
    const shows = s.empty ?? s.facts.slice(0, 3).map((f) => `${f.label} ${f.text}`).join('; ');
    lines.push(`| ${webUiText(s.title)} | ${webUiText(shows)} |`);
  }
  return lines.join('\n');
}

/** One line of plain Markdown text (an agent's "done" line, a review's headline), dollars escaped. */
export function webUiLine(text: string): string {
  return webUiText(text);
}

/**
 * Text for the Temporal Web UI (a workflow's current details and summaries), which renders Markdown
 * with math: `$…$` would be typeset, so every dollar sign is escaped (format.ts webUiText). Pure and
 * deterministic: called from workflow code.
 */
import type { AnalysisProgress } from '../domain/progress';
import type { ReportView } from './model';
import { headlineText } from './build';
import { webUiText } from './format';
import { sectionLines } from './lines';

/** The analysis's current details: the overall step and a table of agents and where each one is. */
export function progressDetails(progress: AnalysisProgress): string {
  const rows = progress.agents.map((a) => `| ${webUiText(a.title)} | ${a.state} | ${webUiText(a.step)} |`);
  return [`**${webUiText(progress.step)}**`, '', '| Agent | State | Step |', '|---|---|---|', ...rows].join('\n');
}

/** The finished analysis's details: headline figures and each section's state, from the view model. */
export function reportDetails(view: ReportView): string {
  const lines = [`**${webUiText(view.statusText)}.** ${webUiText(headlineText(view))}`, '', '| Section | Shows |', '|---|---|'];
  for (const line of sectionLines(view)) {
    if (line.id !== 'headline') lines.push(`| ${webUiText(line.title)} | ${webUiText(line.text)} |`);
  }
  return lines.join('\n');
}

/** One line of plain Markdown text (an agent's "done" line, a review's headline), dollars escaped. */
export function webUiLine(text: string): string {
  return webUiText(text);
}

/**
 * Our own Markdown for the Web UI (bold labels, tables) with every dollar sign escaped, so "$3,035.65 …
 * $12.00" is not typeset as math. Use webUiText for untrusted text inside it.
 */
export function webUiMarkdown(markdown: string): string {
  return markdown.replace(/\\?\$/g, '\\$');
}

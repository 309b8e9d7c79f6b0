// Output formats: one renderer per format, all starting from the schema_version 1 report.
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { ReportV1 } from './report-schema.js';
import { renderSarif } from './sarif.js';

export interface RenderContext {
  /** The directory the report's relative file paths are relative to (SARIF makes them repository-relative). */
  cwd: string;
}

export type Renderer = (report: ReportV1, context: RenderContext) => Promise<string> | string;

export const RENDERERS = {
  json: (report: ReportV1) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderHtml,
  sarif: renderSarif,
  markdown: renderMarkdown,
} satisfies Record<string, Renderer>;

export type OutputFormat = keyof typeof RENDERERS;
export const OUTPUT_FORMATS = Object.keys(RENDERERS) as OutputFormat[];

export async function render(report: ReportV1, format: OutputFormat, context: RenderContext = { cwd: process.cwd() }): Promise<string> {
  return RENDERERS[format](report, context);
}

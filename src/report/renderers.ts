// Output formats: one renderer per format, all starting from the schema_version 1 report.
import { renderHtml } from './html.js';
import type { ReportV1 } from './report-schema.js';

export type Renderer = (report: ReportV1) => Promise<string> | string;

export const RENDERERS = {
  json: (report: ReportV1) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderHtml,
} satisfies Record<string, Renderer>;

export type OutputFormat = keyof typeof RENDERERS;
export const OUTPUT_FORMATS = Object.keys(RENDERERS) as OutputFormat[];

export async function render(report: ReportV1, format: OutputFormat): Promise<string> {
  return RENDERERS[format](report);
}

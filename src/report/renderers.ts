// Output formats: one renderer per format, all starting from the schema_version 1 report.
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderOcsf } from './ocsf.js';
import type { ReportV1 } from './report-schema.js';
import { renderSarif } from './sarif.js';

export interface RenderOptions {
  /** csv: one row per evidence event instead of one per finding. */
  evidence?: boolean;
  /** sarif: the directory the report's relative file paths are relative to (default: the working directory). */
  cwd?: string;
}

export type Renderer = (report: ReportV1, options: RenderOptions) => Promise<string> | string;

export const RENDERERS = {
  json: (report: ReportV1) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderHtml,
  csv: renderCsv,
  ocsf: renderOcsf,
  sarif: renderSarif,
  markdown: renderMarkdown,
} satisfies Record<string, Renderer>;

export type OutputFormat = keyof typeof RENDERERS;
export const OUTPUT_FORMATS = Object.keys(RENDERERS) as OutputFormat[];

/** The file each format is written to when -o names a folder. */
export const OUTPUT_FILE_NAMES: Record<OutputFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  csv: 'report.csv',
  ocsf: 'report.ocsf.jsonl',
  sarif: 'report.sarif',
  markdown: 'report.md',
};

export async function render(report: ReportV1, format: OutputFormat, options: RenderOptions = {}): Promise<string> {
  const renderer: Renderer = RENDERERS[format];
  return renderer(report, options);
}

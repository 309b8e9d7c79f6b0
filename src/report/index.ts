export { buildReport, TOOL_NAME, type ReportInput } from './build-report.js';
export { renderHtml, TEMPLATES_DIR } from './html.js';
export { reportJsonSchema, ReportV1, type FindingV1, type InputV1 } from './report-schema.js';

import type { ReportV1 } from './report-schema.js';

export function renderJson(report: ReportV1): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

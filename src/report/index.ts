export { buildReport, TOOL_NAME, type ReportInput } from './build-report.js';
export { renderHtml, TEMPLATES_DIR } from './html.js';
export { OUTPUT_FILE_NAMES, OUTPUT_FORMATS, render, RENDERERS, type OutputFormat, type RenderOptions, type Renderer } from './renderers.js';
export { markdownCode, markdownText, sarifText } from './escape.js';
export { renderMarkdown } from './markdown.js';
export { renderSarif, repositoryRoot } from './sarif.js';
export { reportJsonSchema, ReportV1, type FindingV1, type InputV1 } from './report-schema.js';

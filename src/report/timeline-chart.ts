// Geometry of a subject's timeline: its requests per time bucket over the whole scan window, stacked
// by status class, with the episodes of its findings shaded behind. Pure numbers and labels; the
// template turns them into inline SVG (no script, no external resource), so every subject shares
// one time axis and charts can be compared at a glance.
import type { ActivityV1, FindingV1, SubjectActivityV1 } from './report-schema.js';

export const STATUS_CLASS_LABELS = {
  '2xx': '2xx',
  '3xx': '3xx',
  '401': '401',
  '403': '403',
  other_4xx: 'other 4xx',
  '5xx': '5xx',
  other: 'other',
} as const;
type StatusClass = keyof typeof STATUS_CLASS_LABELS;
/** Bottom to top: successes at the base, then redirects and the refusals a reviewer looks for. */
const STACK_ORDER: StatusClass[] = ['2xx', '3xx', '401', '403', 'other_4xx', '5xx', 'other'];

const WIDTH = 960;
const HEIGHT = 150;
const PLOT = { left: 44, right: 8, top: 10, bottom: 26 };
const MAX_X_TICKS = 8;
const X_TICK_STEPS_S = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TimelineChart {
  width: number;
  height: number;
  plot: Rect;
  bars: Array<Rect & { statusClass: string }>;
  /** One transparent rect per non-empty bucket, carrying the bucket's tooltip. */
  hovers: Array<Rect & { title: string }>;
  episodes: Array<Rect & { severity: string; title: string }>;
  axis: { x1: number; x2: number; y: number };
  xTicks: Array<{ x: number; y1: number; y2: number; labelY: number; label: string }>;
  yTicks: Array<{ y: number; x1: number; x2: number; labelX: number; label: string }>;
  legend: Array<{ statusClass: string; label: string; count: number }>;
  summary: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** 1, 2, 5, 10, 20, 50… at or above n. */
function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].map((m) => m * power).find((v) => v >= n) ?? 10 * power);
}

function clock(ms: number, withDate: boolean, withTime: boolean): string {
  const iso = new Date(ms).toISOString();
  const date = iso.slice(5, 10);
  const time = iso.slice(11, 16);
  return withDate && withTime ? `${date} ${time}` : withDate ? date : time;
}

export function timelineChart(activity: ActivityV1, subject: SubjectActivityV1, findings: FindingV1[]): TimelineChart {
  const startMs = Date.parse(activity.start);
  const bucketMs = activity.bucket_seconds * 1000;
  const buckets = Math.max(1, Math.floor((Date.parse(activity.end) - startMs) / bucketMs) + 1);
  const spanMs = buckets * bucketMs;
  const oneDay = new Date(startMs).toISOString().slice(0, 10) === new Date(startMs + spanMs - 1).toISOString().slice(0, 10);
  const plot: Rect = {
    x: PLOT.left,
    y: PLOT.top,
    width: WIDTH - PLOT.left - PLOT.right,
    height: HEIGHT - PLOT.top - PLOT.bottom,
  };
  const xOf = (ms: number) => plot.x + ((ms - startMs) / spanMs) * plot.width;
  const bucketWidth = plot.width / buckets;
  const gap = bucketWidth > 4 ? 1 : 0;

  const totals = subject.timeline.map((b) => STACK_ORDER.reduce((n, c) => n + b[c], 0));
  const yMax = niceCeiling(Math.max(1, ...totals));
  const yOf = (n: number) => plot.y + plot.height - (n / yMax) * plot.height;

  const bars: TimelineChart['bars'] = [];
  const hovers: TimelineChart['hovers'] = [];
  subject.timeline.forEach((bucket, i) => {
    const bucketStart = Date.parse(bucket.start);
    const x = round(xOf(bucketStart) + gap / 2);
    const width = round(Math.max(1, bucketWidth - gap));
    let stacked = 0;
    const parts: string[] = [];
    for (const statusClass of STACK_ORDER) {
      const n = bucket[statusClass];
      if (!n) continue;
      const top = yOf(stacked + n);
      bars.push({ x, y: round(top), width, height: round(yOf(stacked) - top), statusClass });
      stacked += n;
      parts.push(`${n} × ${STATUS_CLASS_LABELS[statusClass]}`);
    }
    const end = clock(bucketStart + bucketMs, false, true);
    hovers.push({
      x,
      y: plot.y,
      width,
      height: plot.height,
      title: `${clock(bucketStart, true, true)}–${end} UTC: ${totals[i]} request(s): ${parts.join(', ')}`,
    });
  });

  const episodes = findings.map((f) => {
    const x = xOf(Date.parse(f.first_seen));
    const width = Math.max(3, xOf(Date.parse(f.last_seen)) - x);
    return {
      x: round(x),
      y: plot.y,
      width: round(width),
      height: plot.height,
      severity: f.severity,
      title: `${f.severity}: ${f.title} (${clock(Date.parse(f.first_seen), !oneDay, true)}–${clock(Date.parse(f.last_seen), !oneDay, true)} UTC)`,
    };
  });

  const step = (X_TICK_STEPS_S.find((s) => spanMs / (s * 1000) <= MAX_X_TICKS) ?? X_TICK_STEPS_S.at(-1)!) * 1000;
  const bottom = plot.y + plot.height;
  const xTicks: TimelineChart['xTicks'] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= startMs + spanMs; t += step) {
    xTicks.push({ x: round(xOf(t)), y1: bottom, y2: bottom + 4, labelY: bottom + 17, label: clock(t, !oneDay, step < 86_400_000) });
  }
  const yTicks = [0, yMax / 2, yMax]
    .filter((n) => Number.isInteger(n))
    .map((n) => ({ y: round(yOf(n)), x1: plot.x, x2: plot.x + plot.width, labelX: plot.x - 6, label: String(n) }));

  const legend = STACK_ORDER.filter((c) => subject.status_classes[c] > 0).map((c) => ({
    statusClass: c,
    label: STATUS_CLASS_LABELS[c],
    count: subject.status_classes[c],
  }));
  const summary = `${subject.requests} request(s) between ${subject.first_seen} and ${subject.last_seen}: ${legend
    .map((l) => `${l.count} × ${l.label}`)
    .join(', ')}`;
  const axis = { x1: plot.x, x2: plot.x + plot.width, y: bottom };
  return { width: WIDTH, height: HEIGHT, plot, bars, hovers, episodes, axis, xTicks, yTicks, legend, summary };
}

// The timeline geometry: bars stacked by status class on one time axis shared by every subject.
import { describe, expect, it } from 'vitest';
import type { ActivityV1, FindingV1, SubjectActivityV1 } from '../src/report/index.js';
import { timelineChart } from '../src/report/timeline-chart.js';

const zero = { '2xx': 0, '3xx': 0, '401': 0, '403': 0, other_4xx: 0, '5xx': 0, other: 0 };
const subject = (timeline: SubjectActivityV1['timeline']): SubjectActivityV1 => {
  const status_classes = { ...zero };
  for (const b of timeline) for (const c of Object.keys(zero) as Array<keyof typeof zero>) status_classes[c] += b[c];
  return {
    kind: 'credential', subject: 'f'.repeat(64), principal: null, finding_ids: [], requests: timeline.length,
    first_seen: timeline[0]!.start, last_seen: timeline.at(-1)!.start, status_classes, client_ips: [],
    distinct_client_ips: 0, user_agents: [], distinct_user_agents: 0, timeline,
  };
};
const finding = (first: string, last: string) => ({ severity: 'high', title: 'T', first_seen: first, last_seen: last }) as FindingV1;

describe('timeline chart', () => {
  const activity = (start: string, end: string, bucket: number): ActivityV1 =>
    ({ start, end, bucket_seconds: bucket, subjects_with_findings: 1, subjects: [] });

  it('stacks a bucket\'s classes bottom-up (2xx first) to its total on a round y scale', () => {
    const a = activity('2026-11-30T00:00:00.000Z', '2026-11-30T23:00:00.000Z', 900);
    const s = subject([{ start: '2026-11-30T10:00:00.000Z', ...zero, '2xx': 3, '401': 4 }]);
    const chart = timelineChart(a, s, [finding('2026-11-30T10:01:00.000Z', '2026-11-30T10:11:00.000Z')]);
    expect(chart.bars.map((b) => b.statusClass)).toEqual(['2xx', '401']);
    const [ok, refused] = chart.bars;
    const bottom = chart.plot.y + chart.plot.height;
    expect(ok!.y + ok!.height).toBeCloseTo(bottom, 0);
    expect(refused!.y + refused!.height).toBeCloseTo(ok!.y, 0);
    expect(chart.yTicks.map((t) => t.label)).toEqual(['0', '5', '10']);
    expect((ok!.height + refused!.height) / chart.plot.height).toBeCloseTo(7 / 10, 2);
    // 10:00 is bucket 40 of 93 (00:00 … 23:00 inclusive)
    expect((ok!.x - chart.plot.x) / chart.plot.width).toBeCloseTo(40 / 93, 2);
    expect(chart.hovers[0]!.title).toBe('11-30 10:00–10:15 UTC: 7 request(s): 3 × 2xx, 4 × 401');
    expect(chart.xTicks.map((t) => t.label)).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    expect(chart.episodes[0]!.title).toBe('high: T (10:01–10:11 UTC)');
    expect(chart.legend).toEqual([{ statusClass: '2xx', label: '2xx', count: 3 }, { statusClass: '401', label: '401', count: 4 }]);
  });

  it('labels days on a window of several days', () => {
    const a = activity('2026-11-28T00:00:00.000Z', '2026-11-30T23:00:00.000Z', 3600);
    const chart = timelineChart(a, subject([{ start: '2026-11-29T05:00:00.000Z', ...zero, '5xx': 1 }]), []);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['11-28 00:00', '11-28 12:00', '11-29 00:00', '11-29 12:00', '11-30 00:00', '11-30 12:00', '12-01 00:00']);
    expect(chart.bars).toHaveLength(1);
    expect(chart.bars[0]).toMatchObject({ statusClass: '5xx', height: chart.plot.height });
  });
});

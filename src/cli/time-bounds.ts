// --since, --until and --older-than take a duration back from now (24h, 7d) or a timestamp.
import { isValid, parseISO, sub, type Duration } from 'date-fns';
import { UserError } from '../errors.js';

const UNITS: Record<string, keyof Duration> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };
const DURATION = /^(\d+)\s*([smhdw])$/i;

/** A duration is counted back from `now`; a timestamp without a zone is UTC, like the stored events. */
export function parseTimeBound(text: string, now: Date, flag: string): Date {
  const value = text.trim();
  const duration = DURATION.exec(value);
  if (duration) return sub(now, { [UNITS[duration[2]!.toLowerCase()]!]: Number(duration[1]) });
  const zoned = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value) ? value : `${value}Z`;
  const date = /^\d{4}-\d{2}-\d{2}T/i.test(zoned) ? parseISO(zoned) : new Date(Number.NaN);
  if (!isValid(date)) {
    throw new UserError(
      'usage',
      `${flag} ${JSON.stringify(text)}: give a duration back from now (30m, 24h, 7d, 2w) or a timestamp (2026-11-30 or 2026-11-30T08:00:00Z)`,
    );
  }
  return date;
}

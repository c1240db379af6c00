/** A stretch of real time during which a zone's UTC offset does not change. */
export interface OffsetSegment {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** Local wall time minus UTC, in ms. */
  offsetMs: number;
}

/**
 * Offsets are sampled on a six-hour grid and only searched between samples that
 * differ: no zone in the tz database changes offset twice within six hours.
 */
const SAMPLE_STEP_MS = 6 * 3_600_000;
const SAMPLE_CACHE_LIMIT = 100_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const sampledOffsets = new Map<string, Map<number, number>>();

/** Consecutive segments covering at least [from, to). */
export function getOffsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let sampleAt = Math.floor(from / SAMPLE_STEP_MS) * SAMPLE_STEP_MS;
  let offsetMs = getSampledOffset(timeZone, sampleAt);
  let start = sampleAt;
  while (sampleAt < to) {
    const nextSampleAt = sampleAt + SAMPLE_STEP_MS;
    const nextOffsetMs = getSampledOffset(timeZone, nextSampleAt);
    if (nextOffsetMs !== offsetMs) {
      const change = findOffsetChange(timeZone, sampleAt, nextSampleAt, offsetMs);
      segments.push({ start, end: change, offsetMs });
      start = change;
      offsetMs = nextOffsetMs;
    }
    sampleAt = nextSampleAt;
  }
  segments.push({ start, end: sampleAt, offsetMs });
  return segments;
}

function getSampledOffset(timeZone: string, at: number): number {
  let offsets = sampledOffsets.get(timeZone);
  if (!offsets) {
    offsets = new Map();
    sampledOffsets.set(timeZone, offsets);
  }
  let offsetMs = offsets.get(at);
  if (offsetMs === undefined) {
    offsetMs = computeOffset(timeZone, at);
    if (offsets.size >= SAMPLE_CACHE_LIMIT) offsets.clear();
    offsets.set(at, offsetMs);
  }
  return offsetMs;
}

/** The first whole second in (before, after] whose offset differs from `offsetBefore`. */
function findOffsetChange(timeZone: string, before: number, after: number, offsetBefore: number): number {
  let low = before;
  let high = after;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (computeOffset(timeZone, middle) === offsetBefore) low = middle;
    else high = middle;
  }
  return high;
}

/** `at` must be a whole second: the formatted wall time has no milliseconds. */
function computeOffset(timeZone: string, at: number): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of getFormatter(timeZone).formatToParts(at)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second) - at;
}

function getFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's UTC offset (local wall time minus UTC) at the instant `at`, in ms. */
export function offsetAt(timeZone: string, at: number): number {
  const segments = getOffsetSegments(timeZone, at, at + 1);
  return (segments.find((segment) => segment.start <= at && at < segment.end) ?? segments[0])?.offsetMs ?? 0;
}

/**
 * The instant at which a zone's clocks show `minuteOfDay` minutes past midnight of `localDate` ("YYYY-MM-DD";
 * 1440 is the next midnight). A wall time a change skips comes out on the later side of the gap; one a change
 * repeats is its first occurrence.
 */
export function wallTimeInstant(localDate: string, minuteOfDay: number, timeZone: string): number {
  const wall = Date.parse(`${localDate}T00:00:00Z`) + minuteOfDay * 60_000;
  return wall - offsetAt(timeZone, wall - offsetAt(timeZone, wall));
}

/** The local calendar date ("YYYY-MM-DD"), weekday (0 = Monday … 6 = Sunday) and minute of the day of an instant. */
export function localWallTime(at: number, timeZone: string): { date: string; weekday: number; minuteOfDay: number } {
  const wall = new Date(at + offsetAt(timeZone, at));
  return {
    date: wall.toISOString().slice(0, 10),
    weekday: (wall.getUTCDay() + 6) % 7,
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

import type { DeliveryBucket } from './api';
import { Table } from './components';

/**
 * Delivery charts as inline SVG (no chart library): stacked bars of attempts
 * per bucket (succeeded below, failed on top) and the success rate as a line.
 * Each chart says what it shows in words (its accessible name and caption),
 * and its numbers are a table one click away: the text alternative.
 */
const W = 600;
const H = 120;
const PAD = 4;

export interface Totals {
  success: number;
  fail: number;
  total: number;
  /** Percent that succeeded, one decimal; null without attempts. */
  rate: number | null;
  peak: number;
}
export function totalsOf(buckets: DeliveryBucket[]): Totals {
  let success = 0;
  let fail = 0;
  let peak = 0;
  for (const b of buckets) {
    success += b.success;
    fail += b.fail;
    peak = Math.max(peak, b.success + b.fail);
  }
  const total = success + fail;
  return { success, fail, total, rate: total === 0 ? null : Math.round((success / total) * 1000) / 10, peak };
}

const clock = (iso: string, unit: 'minute' | 'hour') =>
  new Date(iso).toLocaleString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    ...(unit === 'hour' ? { weekday: 'short' } : {}),
  });

/** Success rate per bucket with attempts, as an SVG polyline's points across `width` x `height`. */
function ratePoints(buckets: DeliveryBucket[], width: number, height: number): string {
  const step = buckets.length > 1 ? width / (buckets.length - 1) : 0;
  return buckets
    .map((b, i) => {
      const n = b.success + b.fail;
      if (n === 0) return null;
      return `${(i * step).toFixed(1)},${(height - (b.success / n) * height).toFixed(1)}`;
    })
    .filter((p) => p !== null)
    .join(' ');
}

/** The rate as a line, with a dot on each bucket that had attempts (a lone bucket is a dot, not nothing). */
function RateMarks({ points }: { points: string }) {
  const dots = points === '' ? [] : points.split(' ').map((p) => p.split(',').map(Number));
  return (
    <g transform="translate(4 2)">
      <polyline class="rate-line" points={points} />
      {dots.map(([x, y]) => (
        <circle key={`${x}`} class="rate-dot" cx={x} cy={y} r={2.5} />
      ))}
    </g>
  );
}

export function DeliveryChart({
  title,
  buckets,
  unit,
}: {
  title: string;
  buckets: DeliveryBucket[];
  unit: 'minute' | 'hour';
}) {
  const t = totalsOf(buckets);
  const summary =
    t.total === 0
      ? `${title}: no delivery attempts.`
      : `${title}: ${t.total} attempts, ${t.success} succeeded (${t.rate}%), ${t.fail} failed; busiest ${unit} ${t.peak}.`;
  const scale = Math.max(1, t.peak);
  const slot = (W - 2 * PAD) / Math.max(1, buckets.length);
  const bar = Math.max(1, slot - 1);
  const y = (n: number) => (n / scale) * (H - 2 * PAD);
  const first = buckets[0];
  const last = buckets.at(-1);
  return (
    <figure class="chart card">
      <figcaption>
        <strong>{title}</strong>
        <span class="muted"> · {summary.slice(title.length + 2)}</span>
      </figcaption>
      <svg
        class="chart-bars"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Attempts per ${unit}. ${summary}`}
      >
        <line class="chart-axis" x1={0} x2={W} y1={H - PAD} y2={H - PAD} />
        {buckets.map((b, i) => {
          const x = PAD + i * slot;
          const ok = y(b.success);
          const bad = y(b.fail);
          return b.success + b.fail === 0 ? null : (
            <g key={b.start}>
              <rect class="bar-ok" x={x} width={bar} y={H - PAD - ok} height={ok} />
              <rect class="bar-bad" x={x} width={bar} y={H - PAD - ok - bad} height={bad} />
            </g>
          );
        })}
      </svg>
      <svg
        class="chart-rate"
        viewBox={`0 0 ${W} 40`}
        role="img"
        aria-label={
          t.rate === null ? 'Success rate: no attempts.' : `Success rate per ${unit}, ${t.rate}% overall.`
        }
      >
        <line class="chart-axis" x1={0} x2={W} y1={40} y2={40} />
        <RateMarks points={ratePoints(buckets, W - 8, 36)} />
      </svg>
      <div class="chart-scale muted" aria-hidden="true">
        <span>{first ? clock(first.start, unit) : ''}</span>
        <span>
          peak {t.peak}/{unit} · line: success rate
        </span>
        <span>{last ? clock(last.start, unit) : ''}</span>
      </div>
      <details>
        <summary>{title} as a table</summary>
        <Table
          columns={[
            { header: `${unit === 'minute' ? 'Minute' : 'Hour'} from`, cell: (b) => clock(b.start, unit) },
            { header: 'Succeeded', cell: (b) => b.success },
            { header: 'Failed', cell: (b) => b.fail },
            {
              header: 'Success rate',
              cell: (b) => `${Math.round((b.success / (b.success + b.fail)) * 100)}%`,
            },
          ]}
          rows={buckets.filter((b) => b.success + b.fail > 0)}
          rowKey={(b) => b.start}
          empty="No attempts."
        />
      </details>
    </figure>
  );
}

/** A small success-rate line for a table cell; its name says the rate in words. */
export function Sparkline({ buckets, label }: { buckets: DeliveryBucket[]; label: string }) {
  const t = totalsOf(buckets);
  const name =
    t.rate === null ? `${label}: no attempts` : `${label}: ${t.rate}% of ${t.total} attempts succeeded`;
  return (
    <span class="spark">
      <svg class="spark-svg" viewBox="0 0 100 24" role="img" aria-label={name}>
        <line class="chart-axis" x1={0} x2={100} y1={23} y2={23} />
        <RateMarks points={ratePoints(buckets, 92, 20)} />
      </svg>
      <span class="spark-n">{t.rate === null ? '—' : `${t.rate}%`}</span>
    </span>
  );
}

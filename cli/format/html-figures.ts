/**
 * The HTML report's figures: horizontal bar charts as inline SVG strings (no library, nothing fetched).
 * Severity is told three ways, so the figures read without colour: a colour, a fill pattern (hatched,
 * striped, dotted, plain) and the band written beside every bar.
 */
import type { SeverityBand } from '../report.ts';

export const BANDS: readonly SeverityBand[] = ['critical', 'high', 'medium', 'low'];

export interface Segment {
  band: SeverityBand;
  value: number;
}

export interface Bar {
  label: string;
  segments: Segment[];
}

const WIDTH = 400;
const ROW = 52;
const BAR_HEIGHT = 14;
/** Room at the right of the longest bar for its total. */
const NUMBER_ROOM = 64;
/** Characters of a label that fit the figure's width at its font size; longer ones end with `…`. */
const LABEL_CHARS = 44;
/** Bars a figure shows; the rest are summed into one "N others" bar. */
export const MAX_BARS = 12;

export const thousands = (value: number) => value.toLocaleString('en-US');

const total = (bar: Bar) => bar.segments.reduce((sum, segment) => sum + segment.value, 0);

/** One `<defs>` for every figure: a pattern per band, filled with the band's colour (set by CSS). */
export function patternDefs(): string {
  const marks: Record<SeverityBand, string> = {
    critical: '<path class="mark" d="M0,0 L6,6 M6,0 L0,6"/>',
    high: '<path class="mark" d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5"/>',
    medium: '<circle class="mark dot" cx="3" cy="3" r="1.1"/>',
    low: '',
  };
  const patterns = BANDS.map(
    (band) =>
      `<pattern id="pattern-${band}" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="fill-${band}" width="6" height="6"/>${marks[band]}</pattern>`,
  );
  return `<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>${patterns.join('')}</defs></svg>`;
}

/** A small swatch of a band's pattern, for the legend. */
export function swatch(band: SeverityBand): string {
  return `<svg class="swatch" viewBox="0 0 18 12" width="18" height="12" aria-hidden="true"><rect width="18" height="12" fill="url(#pattern-${band})" class="outline"/></svg>`;
}

/** Keeps the `limit - 1` largest bars and sums the others into one, so a figure stays readable. */
export function topBars(bars: readonly Bar[], limit: number, othersLabel: (count: number) => string): Bar[] {
  if (bars.length <= limit) return [...bars];
  const kept = bars.slice(0, limit - 1);
  const rest = bars.slice(limit - 1);
  const sums = new Map<SeverityBand, number>();
  for (const segment of rest.flatMap((bar) => bar.segments)) {
    sums.set(segment.band, (sums.get(segment.band) ?? 0) + segment.value);
  }
  const segments = BANDS.filter((band) => sums.has(band)).map((band) => ({
    band,
    value: sums.get(band) ?? 0,
  }));
  return [...kept, { label: othersLabel(rest.length), segments }];
}

function shorten(label: string): string {
  return label.length <= LABEL_CHARS ? label : `${label.slice(0, LABEL_CHARS - 1)}…`;
}

/** In words, so that the bar reads without its colours: `critical 30 · low 4,812`. */
export function breakdown(segments: readonly Segment[]): string {
  const shown = segments.filter((segment) => segment.value > 0);
  if (shown.length === 0) return 'none';
  return shown.map((segment) => `${segment.band} ${thousands(segment.value)}`).join(' · ');
}

/**
 * A horizontal bar chart: per bar, its label and total on one line, the bar (one segment per band, in
 * band order) below, and the breakdown in words under it. Labels are escaped by `toHtml`.
 */
export function barChart(
  figure: string,
  title: string,
  bars: readonly Bar[],
  toHtml: (text: string) => string,
): string {
  const longest = Math.max(1, ...bars.map(total));
  const scale = (WIDTH - NUMBER_ROOM) / longest;
  const height = bars.length * ROW + 4;
  const rows = bars.map((bar, index) => {
    const y = index * ROW;
    const sum = total(bar);
    let x = 0;
    const rects = BANDS.flatMap((band) => {
      const value = bar.segments.filter((segment) => segment.band === band).reduce((s, g) => s + g.value, 0);
      if (value === 0) return [];
      const width = Math.max(2, value * scale);
      const rect = `<rect data-severity="${band}" data-count="${value}" x="${x.toFixed(1)}" y="${y + 20}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="url(#pattern-${band})" class="outline"><title>${band}: ${thousands(value)}</title></rect>`;
      x += width;
      return [rect];
    });
    const label = toHtml(bar.label);
    return `<g class="bar" data-label="${label}" data-count="${sum}">
<title>${label}: ${thousands(sum)} (${breakdown(bar.segments)})</title>
<text x="0" y="${y + 14}" class="label">${toHtml(shorten(bar.label))}</text>
${rects.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + 32}" class="total">${thousands(sum)}</text>
<text x="0" y="${y + 48}" class="words">${breakdown(bar.segments)}</text>
</g>`;
  });
  return `<figure class="figure">
<figcaption>${toHtml(title)}</figcaption>
<svg data-figure="${figure}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${toHtml(title)}">
${rows.join('\n')}
</svg>
</figure>`;
}

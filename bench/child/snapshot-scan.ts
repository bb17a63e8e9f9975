/**
 * The rules core over a Config snapshot file, in a process of its own: read, parse, normalise, evaluate every
 * item with every rule (what any offline scan has to do at least).
 *   node --import tsx bench/child/snapshot-scan.ts <snapshot file>
 * Prints one JSON line: wall time per phase and peak RSS (kernel high-water mark).
 */
import { readFileSync } from 'node:fs';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import type { EvaluationContext } from '../../shared/core/model.ts';
import { itemsFromDocument } from '../../shared/core/normalise.ts';
import { discoverRules } from '../lib/discover.ts';
import { ruleParametersFor, suiteDocument } from '../lib/environment.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from '../lib/synthetic.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: snapshot-scan.ts <snapshot file>');

const { rules } = await discoverRules();
const settings = { ...suiteDocument() };
delete settings.rules;
const prepared = rules.map(({ rule }) => ({
  rule,
  params: rule.parseParameters(ruleParametersFor(rule.name), settings),
}));
const context: EvaluationContext = {
  accountId: BENCH_ACCOUNT,
  region: BENCH_REGION,
  account: { publicAccessBlock: null },
};

const start = performance.now();
const document: unknown = JSON.parse(readFileSync(file, 'utf8'));
const parsed = performance.now();
const items = itemsFromDocument(document, file);
const normalised = performance.now();
const counts: Record<string, number> = {};
const when = new Date();
for (const item of items) {
  for (const { rule, params } of prepared) {
    const { compliance } = evaluateItem(rule, params, item, context, when);
    counts[compliance] = (counts[compliance] ?? 0) + 1;
  }
}
const evaluated = performance.now();
process.stdout.write(
  `${JSON.stringify({
    items: items.length,
    rules: prepared.map(({ rule }) => rule.name),
    readAndParseMs: parsed - start,
    normaliseMs: normalised - parsed,
    evaluateMs: evaluated - normalised,
    wallMs: evaluated - start,
    peakRss: process.resourceUsage().maxRSS * 1024,
    verdicts: counts,
  })}\n`,
);

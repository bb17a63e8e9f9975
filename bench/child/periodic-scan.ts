/**
 * One periodic run in a process of its own (so that runs do not share a heap):
 *   node --expose-gc --import tsx bench/child/periodic-scan.ts <handler module> <rule name> <resources> <latency ms>
 * The function's handler evaluates a synthetic account of <resources> whose every Config call answers after
 * <latency ms>. Prints one JSON line: wall time, calls, peak RSS (kernel high-water mark), the heap sampled every
 * 5 ms (garbage included), and the live heap: sampled right after a full collection, once a second.
 */
import { pathToFileURL } from 'node:url';
import { periodicEvent } from '../../test/fixtures/config/events.ts';
import { lambdaContext } from '../lib/environment.ts';
import { SyntheticAccount } from '../lib/inventory.ts';
import { stubClients } from '../lib/latency-stubs.ts';

const [entry, ruleName, resourcesArg, latencyArg, typesArg] = process.argv.slice(2);
if (!entry || !ruleName || !resourcesArg || !latencyArg || !typesArg) {
  throw new Error('usage: periodic-scan.ts <handler module> <rule> <resources> <latency ms> <types,…>');
}
const resources = Number(resourcesArg);
const latencyMs = Number(latencyArg);
const configRuleName = `plumbline-${ruleName}`;
const account = new SyntheticAccount({
  resourceTypes: typesArg.split(','),
  resources,
  ruleName: configRuleName,
});
const calls = stubClients(
  {
    SelectResourceConfig: (input) => account.select(input),
    ListDiscoveredResources: (input) => account.listDiscoveredResources(input),
    BatchGetResourceConfig: (input) => account.batchGetResourceConfig(input),
    GetComplianceDetailsByConfigRule: (input) => account.getComplianceDetailsByConfigRule(input),
    PutEvaluations: () => ({ FailedEvaluations: [] }),
    GetPublicAccessBlock: () => ({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    }),
  },
  latencyMs,
);

const module = (await import(pathToFileURL(entry).href)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const baseline = process.memoryUsage();
let peakHeap = baseline.heapUsed;
let peakRss = baseline.rss;
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  peakHeap = Math.max(peakHeap, now.heapUsed);
  peakRss = Math.max(peakRss, now.rss);
}, 5);
let peakLiveHeap = baseline.heapUsed;
const collector = setInterval(() => {
  gc?.();
  peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
}, 1_000);

const start = performance.now();
const summary = await module.handler({ ...periodicEvent(), configRuleName }, lambdaContext(ruleName));
const wallMs = performance.now() - start;
clearInterval(sampler);
clearInterval(collector);

process.stdout.write(
  `${JSON.stringify({
    resources,
    latencyMs,
    wallMs,
    calls: calls.counts,
    baselineRss: baseline.rss,
    baselineHeap: baseline.heapUsed,
    peakRssSampled: peakRss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    peakHeap,
    peakLiveHeap,
    summary,
  })}\n`,
);

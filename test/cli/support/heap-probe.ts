/**
 * A child process for the streaming-memory test: writes a gzipped Config snapshot of N security groups (one
 * in ten open to the world) and scans it with `plumbline scan --format json --output`, in process, sampling
 * the live heap (after a full collection) every 20 ms while it runs.
 *   node --expose-gc --import tsx test/cli/support/heap-probe.ts <items> <folder>
 * Prints one JSON line: the live heap before the scan, its peak during the scan, the scan's exit code.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CliIo } from '../../../cli/io.ts';
import { sdkClients } from '../../../cli/live.ts';
import { run } from '../../../cli/run.ts';
import { securityGroupItem } from '../../fixtures/security-group/index.ts';
import { Capture, FIXED_NOW, plumblineRules, REPO } from './cli.ts';

const items = Number(process.argv[2]);
const folder = process.argv[3] as string;
const collect = (globalThis as { gc?: () => void }).gc;
if (!Number.isInteger(items) || collect === undefined) {
  throw new Error('usage: node --expose-gc --import tsx heap-probe.ts <items> <folder>');
}

// Written in gzip members of 1,000 items each (a multi-member gzip file is one stream to gunzip).
const snapshot = join(folder, `snapshot-${items}.json.gz`);
const fd = openSync(snapshot, 'w');
let batch: string[] = ['{"fileVersion":"1.0","configurationItems":['];
for (let index = 0; index < items; index++) {
  const groupId = `sg-${String(index).padStart(17, '0')}`;
  const cidr = index % 10 === 0 ? '0.0.0.0/0' : '10.0.0.0/8';
  const item = securityGroupItem(
    {
      groupId,
      groupName: `group-${index}`,
      ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: cidr }] }],
    },
    { Name: `group-${index}`, Owner: 'team-a' },
  );
  batch.push(`${index === 0 ? '' : ','}${JSON.stringify({ ...item, resourceId: groupId })}`);
  if (batch.length >= 1000) {
    writeSync(fd, gzipSync(batch.join('')));
    batch = [];
  }
}
batch.push(']}');
writeSync(fd, gzipSync(batch.join('')));
closeSync(fd);

const io: CliIo = { stdout: new Capture(), stderr: new Capture(), env: {}, cwd: REPO };
collect();
const before = process.memoryUsage().heapUsed;
let peak = before;
const sampler = setInterval(() => {
  collect();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
}, 20);
const code = await run(
  [
    'scan',
    '--snapshot',
    snapshot,
    '--format',
    'json',
    '--output',
    join(folder, 'report.json'),
    '--fail-on',
    'none',
  ],
  io,
  { rules: plumblineRules, clients: sdkClients, now: () => FIXED_NOW },
);
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({ before, peak, code })}\n`);

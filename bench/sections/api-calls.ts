/** API calls per evaluated resource, scenario by scenario (see bench/scenarios/api-calls.ts). */
import type { FunctionTarget } from '../lib/discover.ts';
import { count, table } from '../lib/stats.ts';
import { type CallFigure, callScenarios, prepareEnvironment } from '../scenarios/api-calls.ts';

export async function measureApiCalls(targets: readonly FunctionTarget[]): Promise<CallFigure[]> {
  prepareEnvironment();
  const figures: CallFigure[] = [];
  for (const scenario of callScenarios(targets)) figures.push(await scenario.run());
  return figures;
}

export function apiCallTable(figures: readonly CallFigure[]): string {
  const rows = [['function', 'scenario', 'resources', 'calls', 'per resource', 'by API']];
  for (const figure of figures) {
    rows.push([
      `${figure.function}${figure.standIn ? ' (stand-in)' : ''}`,
      figure.scenario,
      count(figure.resources),
      count(figure.total),
      figure.perResource.toFixed(4),
      `${Object.entries(figure.calls)
        .map(([name, calls]) => `${name} ${calls}`)
        .join(', ')}${figure.error ? ` — failed: ${figure.error}` : ''}`,
    ]);
  }
  return table(rows);
}

/**
 * The benchmark's baseline workflow: the least a workflow can be (one update, one query, one wait), so its figures are
 * what the Temporal server and SDK cost here, against which Segugio's own paths are compared.
 */
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';

export const benchUpdate = defineUpdate<number, [number]>('benchUpdate');
export const benchQuery = defineQuery<number>('benchState');

export async function benchMinimalWorkflow(): Promise<number> {
  let total = 0;
  setHandler(benchUpdate, (x: number) => (total += x));
  setHandler(benchQuery, () => total);
  await condition(() => total < 0, '2 hours');
  return total;
}

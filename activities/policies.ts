/**
 * Activities of the policy rollout: which segments follow a policy key, one visibility page of their running
 * invoices told the new version, and the rerouting of customers whose track changed with the routes. Every step is
 * safe to repeat (a workflow adopts only a newer version; a reroute to the key it already follows is ignored), so
 * Temporal's retry of a failed page is the only retry.
 */
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../infra/db';
import { rerouteAfterRoutesChanged, segmentsRoutingTo } from '../contexts/policies/routing';
import { runningOfSegment } from '../contexts/policies/service';
import { policyChangedSignal, type DunningPolicy } from '../workflows/contract';

/** Running invoices listed and told per page: one activity call, a few seconds at most. */
const PAGE_SIZE = 200;
const SIGNALS_AT_ONCE = 50;

export function createPolicyActivities(deps: { db: Db; temporal: Client }) {
  const { db, temporal } = deps;
  return {
    /** The segments whose running invoices may follow `policyKey`: its own, and those routing some grades to it. */
    async rolloutSegments(input: { policyKey: string }): Promise<string[]> {
      return [input.policyKey, ...(await segmentsRoutingTo(db, input.policyKey))];
    },

    /** Tells one page of a segment's running invoice workflows the policy; returns the next page's token. */
    async notifyPolicyPage(input: {
      segment: string;
      policy: DunningPolicy;
      pageToken: string | null;
    }): Promise<{ notified: number; nextPageToken: string | null }> {
      const page = await temporal.workflowService.listWorkflowExecutions({
        namespace: temporal.options.namespace,
        query: runningOfSegment(input.segment),
        pageSize: PAGE_SIZE,
        nextPageToken: input.pageToken ? Buffer.from(input.pageToken, 'base64') : undefined,
      });
      const ids = (page.executions ?? []).flatMap((e) => (e.execution?.workflowId ? [e.execution.workflowId] : []));
      let notified = 0;
      for (let i = 0; i < ids.length; i += SIGNALS_AT_ONCE) {
        await Promise.all(
          ids.slice(i, i + SIGNALS_AT_ONCE).map(async (id) => {
            try {
              await temporal.workflow.getHandle(id).signal(policyChangedSignal, { policy: input.policy });
              notified += 1;
            } catch (err) {
              // Closed between the listing and the signal: nothing to tell. Anything else fails the page, and
              // Temporal retries it (telling a workflow twice is harmless).
              if (!(err instanceof WorkflowNotFoundError)) throw err;
            }
          }),
        );
        heartbeat();
      }
      const token = page.nextPageToken && page.nextPageToken.length > 0 ? Buffer.from(page.nextPageToken) : null;
      return { notified, nextPageToken: token ? token.toString('base64') : null };
    },

    /** Moves the open invoices of customers whose track changed between the two versions' routes. */
    async rerouteForPolicy(input: {
      previous: DunningPolicy | null;
      policy: DunningPolicy;
    }): Promise<{ customers: number; invoices: number; signalled: number }> {
      const r = await rerouteAfterRoutesChanged(db, temporal, input.previous, input.policy);
      if (r.failed > 0) throw new Error(`${r.failed} of ${r.invoices} invoices could not be rerouted; retrying`);
      return { customers: r.customers, invoices: r.invoices, signalled: r.signalled };
    },
  };
}

export type PolicyActivities = ReturnType<typeof createPolicyActivities>;

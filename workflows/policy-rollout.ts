/**
 * A policy change, told to every running invoice that follows the policy key, as a durable workflow: the API
 * answers at once with the rollout's id, a crashed worker resumes at the page it was on, progress is a query, and a
 * newer change of the same key terminates this one and starts over with the newer version (a workflow adopts only a
 * newer version, so nothing is told twice in a way that matters). Pages are bounded; continue-as-new keeps the
 * history short on segments with hundreds of thousands of invoices.
 */
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PolicyActivities } from '../activities/policies';
import {
  initialRolloutProgress,
  policyRolloutQuery,
  type PolicyRolloutInput,
  type PolicyRolloutProgress,
} from './contract';

// A page heartbeats after each batch of signals, so a worker that dies under a page is noticed in seconds and the
// page is retried elsewhere (telling an invoice twice is harmless).
const acts = proxyActivities<PolicyActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Pages told per run before continuing as new. */
const PAGES_PER_RUN = 200;

/** Tells the policy to every running invoice of the segments that follow it, then reroutes changed tracks. */
export async function policyRolloutWorkflow(input: PolicyRolloutInput): Promise<PolicyRolloutProgress> {
  const progress: PolicyRolloutProgress = input.resume ?? initialRolloutProgress(input);
  setHandler(policyRolloutQuery, () => progress);

  if (progress.segments.length === 0) progress.segments = await acts.rolloutSegments({ policyKey: progress.policyKey });
  let pagesThisRun = 0;
  while (progress.segmentIndex < progress.segments.length) {
    if (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof policyRolloutWorkflow>({ ...input, resume: progress });
    }
    const page = await acts.notifyPolicyPage({
      segment: progress.segments[progress.segmentIndex],
      policy: input.policy,
      pageToken: progress.pageToken,
    });
    progress.notified += page.notified;
    progress.pages += 1;
    pagesThisRun += 1;
    if (page.nextPageToken) progress.pageToken = page.nextPageToken;
    else {
      progress.segmentIndex += 1;
      progress.pageToken = null;
    }
  }
  progress.rerouted ??= await acts.rerouteForPolicy({ previous: input.previous, policy: input.policy });
  progress.status = 'DONE';
  return progress;
}

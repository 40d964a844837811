/** Every workflow the worker registers (`workflowsPath: require.resolve('../workflows')`). */
export { invoiceWorkflow } from './invoice';
export { customerWorkflow } from './customer';
export * from './reports';
export { importWorkflow } from './import';
export { policyRolloutWorkflow } from './policy-rollout';
export { pecReceiptsWorkflow } from './notices';
export { intakeRepairWorkflow } from './intake-repair';
export { notificationsWorkflow, collectorDigestWorkflow } from './notifications';
export { clickToCallWorkflow } from './click-to-call';

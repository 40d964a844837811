/** The invoice workflow: ./workflow.ts (Temporal) over ./state.ts and ./validate.ts (pure). */
export { invoiceWorkflow, PATCHES } from './workflow';
export { realignStepIndex } from './state';

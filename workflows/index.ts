/** Every workflow the worker registers (`workflowsPath: require.resolve('../workflows')`). */
export { invoiceWorkflow } from './invoice';
export * from './reports';
export { customerWorkflow } from './customer';
export { importWorkflow } from './import';

/**
 * The statement of account (estratto conto) context: `buildStatement` (JSON-able), `renderStatementPdf` (it/en/fr),
 * the texts. Shared by the API, the activities that send it and the debtor portal.
 */
export * from './statement';
export { renderStatementPdf, statementDefinition, statementFilename, type StatementPortalLink } from './pdf';
export { STATEMENT_TEXTS, type StatementTexts } from './messages';

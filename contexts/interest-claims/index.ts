/**
 * The interest-claims context: interest debit notes (nota di debito per interessi moratori) with their number series
 * and PDF, and the waivers that forgo the claim. Shared by the API and the statement of account.
 */
export * from './note';
export * from './service';
export * from './waivers';
export { INTEREST_NOTE_TEXTS, type InterestNoteTexts } from './messages';
export { noteDefinition, noteFilename, renderNotePdf, type NoteDocument } from './pdf';

/** Locale-aware formatting for letters and messages: the domain's one formatter (domain/format.ts), re-exported. */
export * from '../../domain/format';

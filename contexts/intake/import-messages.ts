/**
 * The problems of an imported row in it/en/fr, for the rejected-rows file a person fixes and uploads again. Each
 * problem is a stable code with its values (contexts/erp/import-format.ts, contexts/intake/bulk.ts); the console
 * words the same codes through its own catalogue (web/messages.js, `importProblem.*`).
 */
import type { RowProblem } from '../erp/import-format';

export type ImportLanguage = 'it' | 'en' | 'fr';

type Texts = Record<string, string>;

const TEXTS: Record<ImportLanguage, Texts> = {
  it: {
    required: 'obbligatorio',
    negative_amount: "l'importo non può essere negativo ({value})",
    not_amount: "'{value}' non è un importo",
    ambiguous_amount: "'{value}' è ambiguo (migliaia o decimali?): scrivi {whole},00 oppure con due decimali",
    too_many_decimals: "'{value}' ha più di {digits} decimali",
    amount_too_large: "'{value}' è troppo grande",
    not_date: "'{value}' non è una data (usa gg/mm/aaaa o aaaa-mm-gg)",
    not_calendar_date: "'{value}' non è una data del calendario",
    unknown_currency: "'{value}' non è una valuta accettata",
    nul: 'la riga contiene caratteri NUL',
    unknown_user: "utente sconosciuto '{value}'",
    number_taken: 'la fattura {value} appartiene già a un altro cliente',
    not_recorded: 'la fattura non è stata registrata',
    too_big: 'troppo lungo (al massimo {maximum})',
    too_small: 'troppo corto (almeno {minimum})',
    invalid_format: 'formato non valido',
    invalid_value: 'valore non ammesso (ammessi: {values})',
    invalid_date: 'data non valida',
    invalid_type: 'valore non valido',
    invalid: 'valore non valido',
    missing_column: 'manca la colonna per {field} (nomi accettati: {accepted})',
    duplicate_column: "le colonne '{first}' e '{second}' indicano entrambe {field}",
    errorHeader: 'Errore',
  },
  en: {
    required: 'required',
    negative_amount: 'the amount must not be negative ({value})',
    not_amount: "'{value}' is not an amount",
    ambiguous_amount: "'{value}' is ambiguous (thousands or decimals?): write {whole}.00 or with two decimals",
    too_many_decimals: "'{value}' has more than {digits} decimals",
    amount_too_large: "'{value}' is too large",
    not_date: "'{value}' is not a date (use dd/mm/yyyy or yyyy-mm-dd)",
    not_calendar_date: "'{value}' is not a real calendar date",
    unknown_currency: "'{value}' is not an accepted currency",
    nul: 'the row contains NUL characters',
    unknown_user: "unknown user '{value}'",
    number_taken: 'invoice {value} already belongs to another customer',
    not_recorded: 'the invoice could not be recorded',
    too_big: 'too long (at most {maximum})',
    too_small: 'too short (at least {minimum})',
    invalid_format: 'not a valid format',
    invalid_value: 'not an accepted value (accepted: {values})',
    invalid_date: 'not a valid date',
    invalid_type: 'not a valid value',
    invalid: 'not a valid value',
    missing_column: 'missing column for {field} (accepted names: {accepted})',
    duplicate_column: "columns '{first}' and '{second}' both mean {field}",
    errorHeader: 'Error',
  },
  fr: {
    required: 'obligatoire',
    negative_amount: 'le montant ne peut pas être négatif ({value})',
    not_amount: "'{value}' n'est pas un montant",
    ambiguous_amount: "'{value}' est ambigu (milliers ou décimales ?) : écrivez {whole},00 ou avec deux décimales",
    too_many_decimals: "'{value}' a plus de {digits} décimales",
    amount_too_large: "'{value}' est trop grand",
    not_date: "'{value}' n'est pas une date (utilisez jj/mm/aaaa ou aaaa-mm-jj)",
    not_calendar_date: "'{value}' n'est pas une date du calendrier",
    unknown_currency: "'{value}' n'est pas une devise acceptée",
    nul: 'la ligne contient des caractères NUL',
    unknown_user: "utilisateur inconnu '{value}'",
    number_taken: 'la facture {value} appartient déjà à un autre client',
    not_recorded: "la facture n'a pas pu être enregistrée",
    too_big: 'trop long (au plus {maximum})',
    too_small: 'trop court (au moins {minimum})',
    invalid_format: 'format non valide',
    invalid_value: 'valeur non acceptée (acceptées : {values})',
    invalid_date: 'date non valide',
    invalid_type: 'valeur non valide',
    invalid: 'valeur non valide',
    missing_column: 'il manque la colonne pour {field} (noms acceptés : {accepted})',
    duplicate_column: "les colonnes '{first}' et '{second}' désignent toutes deux {field}",
    errorHeader: 'Erreur',
  },
};

const fill = (template: string, params: Record<string, string | number> = {}): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));

/** One problem in words: "Scadenza: '31/02/2026' non è una data del calendario". */
export function problemText(p: RowProblem, lang: ImportLanguage): string {
  const t = TEXTS[lang];
  const sentence = fill(t[p.code] ?? t.invalid, p.params);
  return p.column ? `${p.column}: ${sentence}` : sentence;
}

/** The header of the error column the rejected-rows file adds (a name the import does not read, so the fixed file
 * can be uploaded again as it is). */
export const errorColumn = (lang: ImportLanguage): string => TEXTS[lang].errorHeader;

/** Every code worded in every language (the unit test checks the three catalogues have the same codes). */
export const IMPORT_TEXTS = TEXTS;

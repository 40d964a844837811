/**
 * The names a person reads for the workflow's stage codes (workflows/contract.ts) in what the server writes for people:
 * exports made for a person and the monthly report. They are the console's own words (web/messages.js `code.<stage>`);
 * a unit test keeps the two equal.
 */
import type { Language, Stage } from '../workflows/contract';

export const STAGE_NAMES: Record<Language, Record<Stage, string>> = {
  it: {
    OPEN: 'Aperta',
    PRE_DUE: 'Preavviso',
    REMINDER: 'Sollecito',
    CALL: 'Chiamata',
    PROMISE_WAIT: 'Promessa',
    REPAYMENT_PLAN: 'Piano di rientro',
    ORDER_BLOCK: 'Blocco ordini',
    FORMAL_NOTICE: 'Diffida',
    LEGAL: 'Legale',
    PAID: 'Pagata',
    SETTLED: 'Chiusa',
    WRITTEN_OFF: 'Perdita',
    LEGAL_CLOSED: 'Legale chiusa',
    CANCELLED: 'Annullata',
  },
  en: {
    OPEN: 'Open',
    PRE_DUE: 'Pre-due',
    REMINDER: 'Reminder',
    CALL: 'Call',
    PROMISE_WAIT: 'Promise',
    REPAYMENT_PLAN: 'Repayment plan',
    ORDER_BLOCK: 'Order block',
    FORMAL_NOTICE: 'Formal notice',
    LEGAL: 'Legal',
    PAID: 'Paid',
    SETTLED: 'Settled',
    WRITTEN_OFF: 'Written off',
    LEGAL_CLOSED: 'Legal closed',
    CANCELLED: 'Cancelled',
  },
  fr: {
    OPEN: 'Ouverte',
    PRE_DUE: 'Pré-échéance',
    REMINDER: 'Relance',
    CALL: 'Appel',
    PROMISE_WAIT: 'Promesse',
    REPAYMENT_PLAN: 'Échéancier',
    ORDER_BLOCK: 'Blocage des commandes',
    FORMAL_NOTICE: 'Mise en demeure',
    LEGAL: 'Contentieux',
    PAID: 'Payée',
    SETTLED: 'Soldée',
    WRITTEN_OFF: 'Passée en perte',
    LEGAL_CLOSED: 'Contentieux clos',
    CANCELLED: 'Annulée',
  },
};

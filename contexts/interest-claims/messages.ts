/**
 * Every text of the interest debit note a debtor reads, in it/en/fr. Sentences take figures already formatted in the
 * language's locale. Legal sources: D.Lgs. 231/2002 (as amended by D.Lgs. 192/2012) art. 4 (interest runs without a
 * formal notice from the day after the due date), art. 5 (ECB reference rate + 8 points), art. 6 (EUR 40 per
 * invoice); art. 1284 c.c. (legal rate, for consumers); arts. 1187 and 2963 c.c. (a due date on a holiday moves to the
 * next business day). Directive 2011/7/EU.
 */
import type { Language } from '../../workflows/contract';

export interface InterestNoteTexts {
  title: string;
  number: (n: string) => string;
  issued: (date: string) => string;
  customerCode: string;
  to: string;
  vat: string;
  page: string;
  salutation: string;
  /** The claim and its legal basis (business customers). */
  introB2B: (date: string) => string;
  /** Consumers: the legal rate, no EUR 40. */
  introB2C: (date: string) => string;
  columns: {
    invoice: string;
    dueDate: string;
    paid: string;
    daysLate: string;
    period: string;
    rate: string;
    interest: string;
    fixedSum: string;
  };
  open: string;
  paidLate: string;
  movedDue: (date: string) => string;
  alreadyClaimed: (amount: string) => string;
  totalInterest: string;
  totalCompensation: string;
  total: string;
  /** The EUR 40 of a non-EUR invoice, stated in euro and not added to the total. */
  compensationInEuro: (amount: string) => string;
  legalB2B: string;
  legalB2C: string;
  calendarNote: string;
  paymentTitle: string;
  beneficiary: string;
  iban: string;
  bic: string;
  paymentReason: string;
  paymentTerm: string;
  contactUs: (email: string) => string;
  closing: string;
  /** Preview only (never on an issued note): a rate is not entered, the figure cannot be stated. */
  provisional: (periods: string) => string;
}

export const INTEREST_NOTE_TEXTS: Record<Language, InterestNoteTexts> = {
  it: {
    title: 'Nota di debito per interessi moratori',
    number: (n) => `Nota di debito n. ${n}`,
    issued: (d) => `Data: ${d}`,
    customerCode: 'Codice cliente',
    to: 'Spett.le',
    vat: 'P.IVA',
    page: 'Pagina',
    salutation: 'Gentile cliente,',
    introB2B: (d) =>
      `ai sensi del D.Lgs. 9 ottobre 2002, n. 231, le addebitiamo gli interessi moratori maturati fino al ${d} sulle fatture ` +
      'sotto elencate, pagate oltre la scadenza o ancora aperte, e l’importo forfettario di 40 euro per ciascuna fattura pagata in ritardo.',
    introB2C: (d) =>
      `le addebitiamo gli interessi al saggio legale (art. 1284 c.c.) maturati fino al ${d} sulle fatture sotto elencate, ` +
      'pagate oltre la scadenza o ancora aperte.',
    columns: {
      invoice: 'Fattura',
      dueDate: 'Scadenza',
      paid: 'Stato',
      daysLate: 'Giorni di ritardo',
      period: 'Periodo',
      rate: 'Tasso annuo',
      interest: 'Interessi',
      fixedSum: 'Importo forfettario',
    },
    open: 'aperta',
    paidLate: 'pagata in ritardo',
    movedDue: (d) => `scadenza spostata al ${d} (giorno non lavorativo)`,
    alreadyClaimed: (a) => `già addebitati ${a} con nota precedente`,
    totalInterest: 'Totale interessi',
    totalCompensation: 'Totale importi forfettari (art. 6)',
    total: 'Totale da pagare',
    compensationInEuro: (a) =>
      `Importo forfettario di ${a}, dovuto in euro (art. 6 D.Lgs. 231/2002), non compreso nel totale.`,
    legalB2B:
      'Interessi moratori ai sensi degli artt. 4 e 5 del D.Lgs. 231/2002 (come modificato dal D.Lgs. 192/2012): tasso di ' +
      'riferimento BCE in vigore il 1° gennaio o il 1° luglio del semestre, maggiorato di 8 punti percentuali; interesse ' +
      'semplice, giorni/365, dal giorno successivo alla scadenza fino al pagamento. Importo forfettario di 40 euro per ' +
      'fattura a titolo di risarcimento dei costi di recupero (art. 6).',
    legalB2C:
      'Interessi al saggio legale di cui all’art. 1284 c.c. in vigore in ciascun anno; interesse semplice, giorni/365, dal ' +
      'giorno successivo alla scadenza fino al pagamento.',
    calendarNote:
      'Una scadenza che cade di domenica o in un giorno festivo è prorogata al primo giorno lavorativo successivo (artt. 1187 e 2963 c.c.).',
    paymentTitle: 'Modalità di pagamento',
    beneficiary: 'Beneficiario',
    iban: 'IBAN',
    bic: 'BIC',
    paymentReason: 'Causale',
    paymentTerm: 'Le chiediamo di pagare l’importo indicato entro 15 giorni dal ricevimento della presente.',
    contactUs: (e) => `Per qualsiasi chiarimento può scriverci a ${e}.`,
    closing: 'Distinti saluti',
    provisional: (p) =>
      `Anteprima provvisoria: il tasso di riferimento di ${p} non è ancora stato inserito, perciò l’importo non può essere indicato.`,
  },
  en: {
    title: 'Late-payment interest debit note',
    number: (n) => `Debit note no. ${n}`,
    issued: (d) => `Date: ${d}`,
    customerCode: 'Customer code',
    to: '',
    vat: 'VAT no.',
    page: 'Page',
    salutation: 'Dear Customer,',
    introB2B: (d) =>
      `Under Italian Legislative Decree no. 231 of 9 October 2002 (EU Directive 2011/7/EU), we charge you the late-payment ` +
      `interest accrued up to ${d} on the invoices below, paid after their due date or still open, and the fixed sum of ` +
      'EUR 40 for each invoice paid late.',
    introB2C: (d) =>
      `We charge you interest at the legal rate (art. 1284 of the Italian Civil Code) accrued up to ${d} on the invoices ` +
      'below, paid after their due date or still open.',
    columns: {
      invoice: 'Invoice',
      dueDate: 'Due date',
      paid: 'Status',
      daysLate: 'Days late',
      period: 'Period',
      rate: 'Annual rate',
      interest: 'Interest',
      fixedSum: 'Fixed sum',
    },
    open: 'open',
    paidLate: 'paid late',
    movedDue: (d) => `due date moved to ${d} (non-business day)`,
    alreadyClaimed: (a) => `${a} already charged on an earlier note`,
    totalInterest: 'Total interest',
    totalCompensation: 'Total fixed sums (art. 6)',
    total: 'Total to pay',
    compensationInEuro: (a) =>
      `Fixed sum of ${a}, due in euro (art. 6 Legislative Decree 231/2002), not included in the total.`,
    legalB2B:
      'Late-payment interest under arts. 4 and 5 of Legislative Decree 231/2002 (as amended by Legislative Decree ' +
      '192/2012): the ECB reference rate in force on 1 January or 1 July of the half-year plus 8 percentage points; ' +
      'simple interest, days/365, from the day after the due date until payment. A fixed sum of EUR 40 per invoice as ' +
      'compensation for recovery costs (art. 6).',
    legalB2C:
      'Interest at the legal rate of art. 1284 of the Italian Civil Code in force in each year; simple interest, days/365, ' +
      'from the day after the due date until payment.',
    calendarNote:
      'A due date falling on a Sunday or a public holiday moves to the next business day (arts. 1187 and 2963 of the Italian Civil Code).',
    paymentTitle: 'How to pay',
    beneficiary: 'Beneficiary',
    iban: 'IBAN',
    bic: 'BIC',
    paymentReason: 'Payment reference',
    paymentTerm: 'Please pay the amount stated within 15 days of receiving this note.',
    contactUs: (e) => `For any question, please write to ${e}.`,
    closing: 'Yours faithfully,',
    provisional: (p) =>
      `Provisional preview: the reference rate of ${p} has not been entered yet, so the amount cannot be stated.`,
  },
  fr: {
    title: 'Note de débit d’intérêts de retard',
    number: (n) => `Note de débit n° ${n}`,
    issued: (d) => `Date : ${d}`,
    customerCode: 'Code client',
    to: '',
    vat: 'N° TVA',
    page: 'Page',
    salutation: 'Madame, Monsieur,',
    introB2B: (d) =>
      `En application du décret législatif italien n° 231 du 9 octobre 2002 (directive 2011/7/UE), nous vous facturons les ` +
      `intérêts de retard courus jusqu’au ${d} sur les factures ci-dessous, payées après leur échéance ou encore ouvertes, ` +
      'ainsi que l’indemnité forfaitaire de 40 euros pour chaque facture payée en retard.',
    introB2C: (d) =>
      `Nous vous facturons les intérêts au taux légal (art. 1284 du Code civil italien) courus jusqu’au ${d} sur les ` +
      'factures ci-dessous, payées après leur échéance ou encore ouvertes.',
    columns: {
      invoice: 'Facture',
      dueDate: 'Échéance',
      paid: 'État',
      daysLate: 'Jours de retard',
      period: 'Période',
      rate: 'Taux annuel',
      interest: 'Intérêts',
      fixedSum: 'Indemnité forfaitaire',
    },
    open: 'ouverte',
    paidLate: 'payée en retard',
    movedDue: (d) => `échéance reportée au ${d} (jour non ouvrable)`,
    alreadyClaimed: (a) => `${a} déjà facturés sur une note précédente`,
    totalInterest: 'Total des intérêts',
    totalCompensation: 'Total des indemnités forfaitaires (art. 6)',
    total: 'Total à payer',
    compensationInEuro: (a) =>
      `Indemnité forfaitaire de ${a}, due en euros (art. 6 du décret législatif 231/2002), non comprise dans le total.`,
    legalB2B:
      'Intérêts de retard selon les articles 4 et 5 du décret législatif 231/2002 (modifié par le décret législatif ' +
      '192/2012) : taux de référence de la BCE en vigueur le 1er janvier ou le 1er juillet du semestre, majoré de 8 points ' +
      'de pourcentage ; intérêts simples, jours/365, du lendemain de l’échéance jusqu’au paiement. Indemnité forfaitaire ' +
      'de 40 euros par facture pour frais de recouvrement (art. 6).',
    legalB2C:
      'Intérêts au taux légal de l’article 1284 du Code civil italien en vigueur chaque année ; intérêts simples, ' +
      'jours/365, du lendemain de l’échéance jusqu’au paiement.',
    calendarNote:
      'Une échéance tombant un dimanche ou un jour férié est reportée au premier jour ouvrable suivant (art. 1187 et 2963 du Code civil italien).',
    paymentTitle: 'Modalités de paiement',
    beneficiary: 'Bénéficiaire',
    iban: 'IBAN',
    bic: 'BIC',
    paymentReason: 'Référence du paiement',
    paymentTerm: 'Nous vous prions de régler le montant indiqué dans les 15 jours suivant la réception de la présente.',
    contactUs: (e) => `Pour toute question, vous pouvez nous écrire à ${e}.`,
    closing: 'Veuillez agréer, Madame, Monsieur, nos salutations distinguées.',
    provisional: (p) =>
      `Aperçu provisoire : le taux de référence de ${p} n’a pas encore été saisi, le montant ne peut donc pas être indiqué.`,
  },
};

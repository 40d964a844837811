/**
 * Every text of the statement of account a debtor reads, in it/en/fr. Sentences take figures already formatted in
 * the language's locale, so each stays whole for the translator. The legal references are those of the letters
 * (D.Lgs. 231/2002 arts. 5–6 as amended by D.Lgs. 192/2012; Directive 2011/7/EU).
 */
import type { Language } from '../../workflows/contract';
import type { StatementLineKind } from './statement';

export interface StatementTexts {
  title: string;
  subject: (date: string) => string;
  asOf: (date: string) => string;
  customerCode: string;
  to: string;
  toPerson: string;
  vat: string;
  page: string;
  salutation: string;
  intro: (date: string) => string;
  nothingOpen: string;
  currency: (code: string) => string;
  columns: {
    date: string;
    document: string;
    dueDate: string;
    daysOverdue: string;
    debit: string;
    credit: string;
    balance: string;
  };
  kinds: Record<StatementLineKind, string>;
  notDue: string;
  closingBalance: string;
  overdue: string;
  notYetDue: string;
  inYourFavour: string;
  interestTitle: string;
  invoice: string;
  period: string;
  days: string;
  rate: string;
  interest: string;
  fixedSum: string;
  totalInterest: string;
  totalDue: string;
  /** A line's interest cell when a half-year's rate is not entered. */
  notComputed: string;
  /** The half-years (formatted dates) whose reference rate has not been entered. */
  missingRatesNote: (halfYears: string) => string;
  ratesNote: string;
  compensationNote: string;
  paymentTitle: string;
  beneficiary: string;
  iban: string;
  bic: string;
  paymentReason: string;
  contactUs: (email: string) => string;
  /** The debtor's personal portal link (a statement sent to them): title, what the page offers, the QR's caption. */
  portalTitle: string;
  portalText: string;
  portalScan: string;
  closing: string;
  /** E-mail (sending on demand / policy step). */
  emailSubject: (company: string, date: string) => string;
  /** `balances`: the closing balance of each currency, already formatted, one a line. */
  emailBody: (name: string, date: string, company: string, balances: string) => string;
}

export const STATEMENT_TEXTS: Record<Language, StatementTexts> = {
  it: {
    title: 'Estratto conto',
    subject: (d) => `Estratto conto al ${d}`,
    asOf: (d) => `Situazione al ${d}`,
    customerCode: 'Codice cliente',
    to: 'Spett.le',
    toPerson: '',
    vat: 'P.IVA',
    page: 'Pagina',
    salutation: 'Gentile cliente,',
    intro: (d) =>
      `le inviamo l’estratto del suo conto al ${d}: le partite aperte, le note di credito e i pagamenti ricevuti, con il saldo progressivo.`,
    nothingOpen: 'Alla data indicata non risultano partite aperte.',
    currency: (c) => `Partite in ${c}`,
    columns: {
      date: 'Data',
      document: 'Documento',
      dueDate: 'Scadenza',
      daysOverdue: 'Giorni di ritardo',
      debit: 'Dare',
      credit: 'Avere',
      balance: 'Saldo',
    },
    kinds: {
      INVOICE: 'Fattura',
      CREDIT_NOTE: 'Nota di credito',
      PAYMENT: 'Pagamento',
      ADJUSTMENT: 'Altre rettifiche',
      UNMATCHED_PAYMENT: 'Pagamento ricevuto, in corso di abbinamento',
      CREDIT: 'Credito a suo favore (pagamento eccedente)',
      INTEREST_NOTE: 'Nota di debito per interessi moratori',
    },
    notDue: 'non scaduta',
    closingBalance: 'Saldo a suo debito',
    overdue: 'di cui scaduto',
    notYetDue: 'di cui non ancora scaduto',
    inYourFavour: 'Saldo a suo credito',
    interestTitle: 'Interessi moratori e risarcimento forfettario (D.Lgs. 231/2002)',
    invoice: 'Fattura',
    period: 'Periodo',
    days: 'Giorni',
    rate: 'Tasso',
    interest: 'Interessi',
    fixedSum: 'Forfettario',
    totalInterest: 'Totale interessi e forfettario',
    totalDue: 'Totale dovuto comprensivo di interessi',
    notComputed: 'non calcolati',
    missingRatesNote: (h) =>
      `Gli interessi non sono indicati: il tasso di riferimento BCE del semestre che inizia il ${h} non è ancora stato inserito. Li comunicheremo appena disponibile.`,
    ratesNote:
      'Tasso = tasso di riferimento BCE del semestre + 8 punti percentuali (art. 5 D.Lgs. 231/2002); interessi calcolati su 365 giorni dal giorno successivo alla scadenza.',
    compensationNote:
      'Risarcimento forfettario di 40 euro per fattura per i costi di recupero (art. 6 D.Lgs. 231/2002).',
    paymentTitle: 'Modalità di pagamento',
    beneficiary: 'Beneficiario',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Causale',
    contactUs: (e) => `Per qualsiasi differenza rispetto alla sua contabilità ci scriva a ${e}.`,
    portalTitle: 'La sua pagina personale',
    portalText:
      'Sulla sua pagina personale trova questo estratto conto aggiornato ogni giorno e può pagare con il codice QR, indicare una data di pagamento, contestare una fattura o chiedere un piano di rientro.',
    portalScan: 'Inquadri il codice QR o digiti l’indirizzo:',
    closing: 'Cordiali saluti',
    emailSubject: (c, d) => `${c} – estratto conto al ${d}`,
    emailBody: (n, d, c, b) =>
      `Gentile ${n},\n\nin allegato l’estratto del suo conto al ${d}, con le partite aperte e il saldo.\n\n${b}\n\nCordiali saluti\n${c}`,
  },
  en: {
    title: 'Statement of account',
    subject: (d) => `Statement of account as at ${d}`,
    asOf: (d) => `As at ${d}`,
    customerCode: 'Customer code',
    to: 'To',
    toPerson: 'To',
    vat: 'VAT No.',
    page: 'Page',
    salutation: 'Dear customer,',
    intro: (d) =>
      `please find below the statement of your account as at ${d}: the open items, credit notes and payments received, with the running balance.`,
    nothingOpen: 'There are no open items on this date.',
    currency: (c) => `Items in ${c}`,
    columns: {
      date: 'Date',
      document: 'Document',
      dueDate: 'Due date',
      daysOverdue: 'Days overdue',
      debit: 'Debit',
      credit: 'Credit',
      balance: 'Balance',
    },
    kinds: {
      INVOICE: 'Invoice',
      CREDIT_NOTE: 'Credit note',
      PAYMENT: 'Payment',
      ADJUSTMENT: 'Other adjustments',
      UNMATCHED_PAYMENT: 'Payment received, being matched',
      CREDIT: 'Credit in your favour (overpayment)',
      INTEREST_NOTE: 'Late-payment interest debit note',
    },
    notDue: 'not yet due',
    closingBalance: 'Balance owed by you',
    overdue: 'of which overdue',
    notYetDue: 'of which not yet due',
    inYourFavour: 'Balance in your favour',
    interestTitle: 'Late-payment interest and fixed compensation (Directive 2011/7/EU)',
    invoice: 'Invoice',
    period: 'Period',
    days: 'Days',
    rate: 'Rate',
    interest: 'Interest',
    fixedSum: 'Fixed sum',
    totalInterest: 'Total interest and fixed sums',
    totalDue: 'Total due including interest',
    notComputed: 'not computed',
    missingRatesNote: (h) =>
      `Interest is not stated: the ECB reference rate of the half-year starting ${h} has not been entered yet. We will let you know as soon as it is.`,
    ratesNote:
      'Rate = ECB reference rate of the half-year + 8 percentage points (Art. 5 Italian Legislative Decree 231/2002); interest on a 365-day year from the day after the due date.',
    compensationNote: 'Fixed compensation of EUR 40 per invoice for recovery costs (Art. 6 Directive 2011/7/EU).',
    paymentTitle: 'How to pay',
    beneficiary: 'Beneficiary',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Payment reference',
    contactUs: (e) => `If anything differs from your records, please write to ${e}.`,
    portalTitle: 'Your personal page',
    portalText:
      'On your personal page you find this statement brought up to date every day, and you can pay with the QR code, tell us when you will pay, dispute an invoice or ask for a payment plan.',
    portalScan: 'Scan the QR code or type the address:',
    closing: 'Kind regards',
    emailSubject: (c, d) => `${c} – statement of account as at ${d}`,
    emailBody: (n, d, c, b) =>
      `Dear ${n},\n\nplease find attached the statement of your account as at ${d}, with the open items and the balance.\n\n${b}\n\nKind regards\n${c}`,
  },
  fr: {
    title: 'Relevé de compte',
    subject: (d) => `Relevé de compte au ${d}`,
    asOf: (d) => `Situation au ${d}`,
    customerCode: 'Code client',
    to: 'À l’attention de',
    toPerson: 'À l’attention de',
    vat: 'N° TVA',
    page: 'Page',
    salutation: 'Madame, Monsieur,',
    intro: (d) =>
      `veuillez trouver ci-dessous le relevé de votre compte au ${d} : les factures ouvertes, les avoirs et les paiements reçus, avec le solde progressif.`,
    nothingOpen: 'Aucune facture ouverte à cette date.',
    currency: (c) => `Opérations en ${c}`,
    columns: {
      date: 'Date',
      document: 'Document',
      dueDate: 'Échéance',
      daysOverdue: 'Jours de retard',
      debit: 'Débit',
      credit: 'Crédit',
      balance: 'Solde',
    },
    kinds: {
      INVOICE: 'Facture',
      CREDIT_NOTE: 'Avoir',
      PAYMENT: 'Paiement',
      ADJUSTMENT: 'Autres ajustements',
      UNMATCHED_PAYMENT: 'Paiement reçu, en cours de lettrage',
      CREDIT: 'Crédit en votre faveur (trop-perçu)',
      INTEREST_NOTE: 'Note de débit d’intérêts de retard',
    },
    notDue: 'non échue',
    closingBalance: 'Solde à votre charge',
    overdue: 'dont échu',
    notYetDue: 'dont non encore échu',
    inYourFavour: 'Solde en votre faveur',
    interestTitle: 'Intérêts de retard et indemnité forfaitaire (directive 2011/7/UE)',
    invoice: 'Facture',
    period: 'Période',
    days: 'Jours',
    rate: 'Taux',
    interest: 'Intérêts',
    fixedSum: 'Forfait',
    totalInterest: 'Total intérêts et forfaits',
    totalDue: 'Total dû intérêts compris',
    notComputed: 'non calculés',
    missingRatesNote: (h) =>
      `Les intérêts ne sont pas indiqués : le taux de référence BCE du semestre commençant le ${h} n’a pas encore été saisi. Nous vous les communiquerons dès qu’il le sera.`,
    ratesNote:
      'Taux = taux de référence BCE du semestre + 8 points de pourcentage (art. 5 du décret législatif italien 231/2002) ; intérêts sur 365 jours à compter du lendemain de l’échéance.',
    compensationNote:
      'Indemnité forfaitaire de 40 euros par facture pour frais de recouvrement (art. 6 directive 2011/7/UE).',
    paymentTitle: 'Modalités de paiement',
    beneficiary: 'Bénéficiaire',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Référence du virement',
    contactUs: (e) => `Pour toute différence avec votre comptabilité, écrivez-nous à ${e}.`,
    portalTitle: 'Votre page personnelle',
    portalText:
      'Sur votre page personnelle, vous trouvez ce relevé mis à jour chaque jour et vous pouvez payer avec le code QR, nous indiquer une date de paiement, contester une facture ou demander un échéancier.',
    portalScan: 'Scannez le code QR ou saisissez l’adresse\u00a0:',
    closing: 'Veuillez agréer nos salutations distinguées.',
    emailSubject: (c, d) => `${c} – relevé de compte au ${d}`,
    emailBody: (n, d, c, b) =>
      `Madame, Monsieur,\n\nveuillez trouver ci-joint le relevé du compte de ${n} au ${d}, avec les factures ouvertes et le solde.\n\n${b}\n\nSalutations distinguées\n${c}`,
  },
};

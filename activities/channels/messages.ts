/**
 * Localized texts of every template (it, en, fr): e-mail subject and body, letter heading and paragraphs, SMS and
 * spoken voice message. Pure functions of a MessageContext; the letter and the e-mail are rendered from the same
 * paragraphs so that they never say different things.
 */
import type { Language } from '../../workflows/contract';
import { longDate, money, percent } from './format';

export const TEMPLATES = [
  'courtesy',
  'reminder-1',
  'reminder-2',
  'call',
  'repayment-plan',
  'formal-notice',
  'order-block',
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

const ALIASES: Record<string, TemplateName> = {
  'pre-due': 'courtesy',
  reminder: 'reminder-1',
  sollecito: 'reminder-1',
  'sollecito-1': 'reminder-1',
  'sollecito-2': 'reminder-2',
  plan: 'repayment-plan',
  'piano-di-rientro': 'repayment-plan',
  diffida: 'formal-notice',
  'messa-in-mora': 'formal-notice',
  legal: 'formal-notice',
  block: 'order-block',
};

/** The canonical template for a policy's template name, or null when unknown. */
export function resolveTemplate(name: string): TemplateName | null {
  const n = name.trim().toLowerCase();
  if ((TEMPLATES as readonly string[]).includes(n)) return n as TemplateName;
  return ALIASES[n] ?? null;
}

/** Days the debtor is given to pay, counted from the letter date. */
export const PAYMENT_TERM_DAYS: Record<TemplateName, number> = {
  courtesy: 0,
  'reminder-1': 10,
  'reminder-2': 7,
  call: 7,
  'repayment-plan': 0,
  'formal-notice': 15,
  'order-block': 7,
};

/** Templates whose letter shows statutory interest and the fixed compensation. */
export const SHOWS_INTEREST: ReadonlySet<TemplateName> = new Set(['reminder-2', 'formal-notice', 'order-block']);

export interface MessageInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  amountMinor: number;
  balanceMinor: number;
}

export interface MessageContext {
  lang: Language;
  template: TemplateName;
  company: { name: string; email: string; phone?: string; iban: string; bic?: string };
  customerName: string;
  consumer: boolean;
  currency: string;
  invoices: MessageInvoice[];
  balanceMinor: number;
  reference: string;
  /** ISO date of the letter. */
  today: string;
  /** ISO date by which to pay (formal notice: today + 15 days). */
  deadline: string;
  interest?: { interestMinor: number; compensationMinor: number; totalMinor: number; asOf: string };
  plan?: { instalments: Array<{ dueDate: string; amountMinor: number }>; graceDays: number };
}

export interface RenderedMessage {
  subject: string;
  /** Heading of the letter ("Oggetto" line). */
  title: string;
  salutation: string;
  /** Before the invoice table. */
  intro: string[];
  /** After the tables, before the payment instructions. */
  outro: string[];
  closing: string;
  signature: string;
  sms: string;
  voice: string;
}

export interface Labels {
  reference: string;
  date: string;
  invoice: string;
  issueDate: string;
  dueDate: string;
  amount: string;
  balance: string;
  total: string;
  totalOpen: string;
  interestTitle: string;
  period: string;
  days: string;
  rate: string;
  interest: string;
  compensation: string;
  totalDue: string;
  paymentTitle: string;
  beneficiary: string;
  iban: string;
  bic: string;
  paymentReason: string;
  instalments: string;
  instalment: string;
  vat: string;
  page: string;
  to: string;
  emailFooter: string;
  acceptance: string;
  ratesNote: string;
}

export const LABELS: Record<Language, Labels> = {
  it: {
    reference: 'Rif.',
    date: 'Data',
    invoice: 'Fattura',
    issueDate: 'Emessa il',
    dueDate: 'Scadenza',
    amount: 'Importo',
    balance: 'Da pagare',
    total: 'Totale scaduto',
    totalOpen: 'Totale',
    interestTitle: 'Interessi moratori (D.Lgs. 231/2002)',
    period: 'Periodo',
    days: 'Giorni',
    rate: 'Tasso',
    interest: 'Interessi',
    compensation: 'Risarcimento forfettario costi di recupero (art. 6 D.Lgs. 231/2002)',
    totalDue: 'Totale dovuto',
    paymentTitle: 'Modalità di pagamento',
    beneficiary: 'Beneficiario',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Causale',
    instalments: 'Piano delle rate',
    instalment: 'Rata',
    vat: 'P.IVA',
    page: 'Pagina',
    to: 'Spett.le',
    emailFooter: 'Messaggio inviato dall’ufficio crediti di',
    acceptance: 'Per accettazione (timbro e firma del debitore)',
    ratesNote:
      'Tasso = tasso di riferimento BCE del semestre + 8 punti percentuali; interessi calcolati su 365 giorni.',
  },
  en: {
    reference: 'Ref.',
    date: 'Date',
    invoice: 'Invoice',
    issueDate: 'Issued',
    dueDate: 'Due date',
    amount: 'Amount',
    balance: 'Outstanding',
    total: 'Total overdue',
    totalOpen: 'Total',
    interestTitle: 'Late-payment interest (Directive 2011/7/EU)',
    period: 'Period',
    days: 'Days',
    rate: 'Rate',
    interest: 'Interest',
    compensation: 'Fixed compensation for recovery costs (Art. 6 Directive 2011/7/EU)',
    totalDue: 'Total due',
    paymentTitle: 'How to pay',
    beneficiary: 'Beneficiary',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Payment reference',
    instalments: 'Instalment schedule',
    instalment: 'Instalment',
    vat: 'VAT No.',
    page: 'Page',
    to: 'To',
    emailFooter: 'Sent by the credit department of',
    acceptance: 'Accepted (debtor’s signature and stamp)',
    ratesNote: 'Rate = ECB reference rate of the half-year + 8 percentage points; interest on a 365-day year.',
  },
  fr: {
    reference: 'Réf.',
    date: 'Date',
    invoice: 'Facture',
    issueDate: 'Émise le',
    dueDate: 'Échéance',
    amount: 'Montant',
    balance: 'Reste dû',
    total: 'Total échu',
    totalOpen: 'Total',
    interestTitle: 'Intérêts de retard (directive 2011/7/UE)',
    period: 'Période',
    days: 'Jours',
    rate: 'Taux',
    interest: 'Intérêts',
    compensation: 'Indemnité forfaitaire pour frais de recouvrement (art. 6 directive 2011/7/UE)',
    totalDue: 'Total dû',
    paymentTitle: 'Modalités de paiement',
    beneficiary: 'Bénéficiaire',
    iban: 'IBAN',
    bic: 'BIC/SWIFT',
    paymentReason: 'Référence du virement',
    instalments: 'Échéancier',
    instalment: 'Échéance',
    vat: 'N° TVA',
    page: 'Page',
    to: 'À l’attention de',
    emailFooter: 'Message envoyé par le service crédit de',
    acceptance: 'Bon pour accord (signature et cachet du débiteur)',
    ratesNote: 'Taux = taux de référence BCE du semestre + 8 points de pourcentage ; intérêts sur 365 jours.',
  },
};

function invoiceList(ctx: MessageContext): string {
  const nums = ctx.invoices.map((i) => i.number);
  const joined =
    nums.length === 1
      ? nums[0]
      : `${nums.slice(0, -1).join(', ')} ${{ it: 'e', en: 'and', fr: 'et' }[ctx.lang]} ${nums[nums.length - 1]}`;
  const one = ctx.invoices.length === 1;
  switch (ctx.lang) {
    case 'it':
      return one ? `la fattura n. ${joined}` : `le fatture n. ${joined}`;
    case 'en':
      return one ? `invoice no. ${joined}` : `invoices no. ${joined}`;
    case 'fr':
      return one ? `la facture n° ${joined}` : `les factures n° ${joined}`;
  }
}

/**
 * SMS text kept inside the GSM-7 alphabet where the language allows: no-break spaces, typographic apostrophes and
 * dashes would force UCS-2 encoding and halve the characters per segment.
 */
export function gsmFriendly(s: string): string {
  return s
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u2013\u2014]/g, '-');
}

/** Renders the texts of one template in the customer's language. */
export function renderMessage(ctx: MessageContext): RenderedMessage {
  const r = renderTexts(ctx);
  return { ...r, sms: gsmFriendly(r.sms) };
}

function renderTexts(ctx: MessageContext): RenderedMessage {
  const m = (minor: number): string => money(minor, ctx.currency, ctx.lang);
  const d = (iso: string): string => longDate(iso, ctx.lang);
  const inv = invoiceList(ctx);
  const one = ctx.invoices.length === 1;
  // "relativo alla fattura" / "relative aux factures": the article merges with the preposition.
  const invA = {
    it: inv.replace(/^la /, 'alla ').replace(/^le /, 'alle '),
    fr: inv.replace(/^la /, 'à la ').replace(/^les /, 'aux '),
    en: inv,
  }[ctx.lang];
  const bal = m(ctx.balanceMinor);
  const first = ctx.invoices[0];
  const due = first ? d(first.dueDate) : '';
  const company = ctx.company.name;
  const phone = ctx.company.phone ?? ctx.company.email;
  const i = ctx.interest;
  const total = m(ctx.balanceMinor + (i ? i.totalMinor : 0));
  const plan = ctx.plan;
  const instalmentCount = plan?.instalments.length ?? 0;

  if (ctx.lang === 'it') {
    const salutation = ctx.consumer ? `Gentile ${ctx.customerName},` : 'Spettabile Società,';
    const signature = `Ufficio Crediti – ${company}`;
    const closing = 'Distinti saluti.';
    const paid =
      'Qualora abbiate già provveduto al pagamento, vi preghiamo di non tenere conto della presente e di inviarci copia della contabile.';
    switch (ctx.template) {
      case 'courtesy':
        return {
          subject: `Promemoria: ${inv} in scadenza il ${due}`,
          title: 'Avviso di cortesia – scadenza di pagamento',
          salutation,
          intro: [
            `vi ricordiamo che ${inv} per un importo di ${bal} ${one ? 'scadrà' : 'scadranno a partire dal'} ${due}.`,
            'Di seguito il dettaglio:',
          ],
          outro: [
            'Se il pagamento è già stato disposto, non tenete conto di questo promemoria. Grazie per la collaborazione.',
          ],
          closing: 'Cordiali saluti.',
          signature,
          sms: `${company}: promemoria, ${inv} di ${bal} scade il ${due}. Se avete già pagato ignorate questo messaggio.`,
          voice: `Buongiorno, questo è un messaggio automatico di ${company}. Le ricordiamo che ${inv}, di ${bal}, scade il ${due}. Grazie.`,
        };
      case 'reminder-1':
        return {
          subject: `Sollecito di pagamento – ${inv}`,
          title: 'Sollecito di pagamento',
          salutation,
          intro: [
            `da un controllo contabile risulta non ancora saldato l’importo di ${bal} relativo ${invA}, ${one ? `scaduta il ${due}` : `scadute dal ${due}`}.`,
          ],
          outro: [`Vi preghiamo di provvedere al pagamento entro il ${d(ctx.deadline)}.`, paid],
          closing,
          signature,
          sms: `${company}: risulta non pagato ${bal} (${inv}, scad. ${due}). Vi preghiamo di pagare entro il ${d(ctx.deadline)}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio automatico di ${company}. Risulta non ancora pagato l’importo di ${bal} relativo ${invA}, ${one ? `scaduta il ${due}` : `scadute dal ${due}`}. La preghiamo di provvedere entro il ${d(ctx.deadline)} o di contattarci. Grazie.`,
        };
      case 'reminder-2':
        return {
          subject: `Secondo sollecito di pagamento – ${inv}`,
          title: 'Secondo sollecito di pagamento',
          salutation,
          intro: [
            `nonostante il nostro precedente sollecito, risulta ancora insoluto l’importo di ${bal} relativo ${invA}.`,
          ],
          outro: [
            `Vi invitiamo a regolarizzare la posizione entro il ${d(ctx.deadline)}. In mancanza saremo costretti a sospendere le forniture e ad avviare le azioni a tutela del credito, con addebito degli interessi di mora e delle spese di recupero.`,
            paid,
          ],
          closing,
          signature,
          sms: `${company}: secondo sollecito, ${bal} ancora insoluti (${inv}). Pagate entro il ${d(ctx.deadline)} per evitare la sospensione delle forniture. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio automatico di ${company}. Nonostante il precedente sollecito, risulta ancora insoluto l’importo di ${bal}. La preghiamo di pagare entro il ${d(ctx.deadline)} o di contattarci al più presto. Grazie.`,
        };
      case 'call':
        return {
          subject: `Richiesta di contatto – ${inv}`,
          title: 'Richiesta di contatto',
          salutation,
          intro: [
            `risulta scaduto l’importo di ${bal} relativo ${invA}. Un nostro incaricato vi contatterà telefonicamente.`,
          ],
          outro: [`Potete anche contattarci voi al ${phone} indicando il riferimento ${ctx.reference}.`, paid],
          closing,
          signature,
          sms: `${company}: risulta scaduto ${bal} (${inv}). Vi contatteremo a breve; potete chiamarci al ${phone}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Risulta scaduto l’importo di ${bal} relativo ${invA}. La preghiamo di richiamarci al ${phone}. Grazie.`,
        };
      case 'repayment-plan':
        return {
          subject: `Piano di rientro concordato – ${inv}`,
          title: 'Piano di rientro',
          salutation,
          intro: [
            `a seguito degli accordi intercorsi, vi confermiamo il piano di rientro per l’importo di ${bal} relativo ${invA}, in ${instalmentCount} rate come da prospetto:`,
          ],
          outro: [
            `Il mancato pagamento anche di una sola rata, decorsi ${plan?.graceDays ?? 0} giorni di tolleranza, comporta la decadenza dal beneficio del termine: il piano si intenderà risolto e l’intero residuo diventerà immediatamente esigibile.`,
            'Vi preghiamo di restituirci copia della presente firmata per accettazione.',
          ],
          closing,
          signature,
          sms: `${company}: confermato il piano di rientro di ${bal} in ${instalmentCount} rate. Dettagli via e-mail. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le confermiamo il piano di rientro di ${bal} in ${instalmentCount} rate. Grazie.`,
        };
      case 'formal-notice':
        return {
          subject: `Diffida ad adempiere e costituzione in mora – ${inv}`,
          title: 'Diffida ad adempiere e costituzione in mora',
          salutation,
          intro: [
            `nonostante i nostri solleciti, risulta tuttora insoluto l’importo di ${bal} relativo ${invA}.`,
            'Con la presente, ai sensi e per gli effetti degli artt. 1219 e 1454 c.c., vi costituiamo formalmente in mora e vi diffidiamo ad adempiere.',
          ],
          outro: [
            i
              ? `Sono inoltre dovuti gli interessi moratori ex D.Lgs. 231/2002, pari a ${m(i.interestMinor)} maturati al ${d(i.asOf)} e in ulteriore maturazione fino al saldo${i.compensationMinor ? `, e l’importo forfettario di ${m(i.compensationMinor)} a titolo di risarcimento dei costi di recupero (art. 6)` : ''}.`
              : 'Sono inoltre dovuti gli interessi moratori di legge fino al saldo.',
            `Vi intimiamo di pagare la somma complessiva di ${total} entro e non oltre il ${d(ctx.deadline)}, quindici giorni dalla data della presente. Decorso inutilmente tale termine procederemo, senza ulteriore avviso, al recupero giudiziale del credito, con aggravio di spese a vostro carico.`,
            'La presente vale quale atto interruttivo della prescrizione.',
          ],
          closing,
          signature,
          sms: `${company}: inviata diffida ad adempiere per ${total} (${inv}). Termine: ${d(ctx.deadline)}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le abbiamo inviato una diffida ad adempiere per l’importo di ${total}, da pagare entro il ${d(ctx.deadline)}. Grazie.`,
        };
      case 'order-block':
        return {
          subject: `Sospensione delle forniture – ${inv}`,
          title: 'Sospensione delle forniture',
          salutation,
          intro: [
            `vi informiamo che, a causa del mancato pagamento di ${bal} relativo ${invA}, l’accettazione di nuovi ordini e le forniture sono sospese con effetto immediato.`,
          ],
          outro: [
            'Le forniture riprenderanno non appena la posizione sarà regolarizzata. Per concordare modalità di pagamento potete contattare il nostro ufficio crediti.',
            paid,
          ],
          closing,
          signature,
          sms: `${company}: forniture sospese per mancato pagamento di ${bal} (${inv}). Contattateci al ${phone}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le forniture sono sospese per il mancato pagamento di ${bal}. La preghiamo di contattarci al ${phone}. Grazie.`,
        };
    }
  }

  if (ctx.lang === 'fr') {
    const salutation = ctx.consumer ? `Madame, Monsieur ${ctx.customerName},` : 'Madame, Monsieur,';
    const signature = `Service crédit – ${company}`;
    const closing = 'Veuillez agréer, Madame, Monsieur, l’expression de nos salutations distinguées.';
    const paid =
      'Si vous avez déjà effectué ce paiement, nous vous prions de ne pas tenir compte de ce courrier et de nous transmettre l’avis de virement.';
    switch (ctx.template) {
      case 'courtesy':
        return {
          subject: `Rappel : ${inv} arrive à échéance le ${due}`,
          title: 'Rappel amiable – échéance de paiement',
          salutation,
          intro: [
            `nous vous rappelons que ${inv}, d’un montant de ${bal}, ${one ? 'arrive à échéance le' : 'arrivent à échéance à partir du'} ${due}.`,
            'En voici le détail :',
          ],
          outro: [
            'Si le paiement est déjà programmé, veuillez ne pas tenir compte de ce rappel. Merci de votre collaboration.',
          ],
          closing: 'Cordialement.',
          signature,
          sms: `${company} : rappel, ${inv} de ${bal} arrive à échéance le ${due}. Ignorez ce message si vous avez déjà payé.`,
          voice: `Bonjour, ceci est un message automatique de ${company}. Nous vous rappelons que ${inv}, de ${bal}, arrive à échéance le ${due}. Merci.`,
        };
      case 'reminder-1':
        return {
          subject: `Relance de paiement – ${inv}`,
          title: 'Relance de paiement',
          salutation,
          intro: [
            `sauf erreur de notre part, la somme de ${bal} relative ${invA}, ${one ? `échue le ${due}` : `échues depuis le ${due}`}, reste impayée.`,
          ],
          outro: [`Nous vous remercions de bien vouloir procéder au règlement avant le ${d(ctx.deadline)}.`, paid],
          closing,
          signature,
          sms: `${company} : ${bal} restent impayés (${inv}, échéance ${due}). Merci de régler avant le ${d(ctx.deadline)}. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message automatique de ${company}. La somme de ${bal} relative ${invA}, ${one ? `échue le ${due}` : `échues depuis le ${due}`}, reste impayée. Merci de la régler avant le ${d(ctx.deadline)} ou de nous contacter.`,
        };
      case 'reminder-2':
        return {
          subject: `Deuxième relance de paiement – ${inv}`,
          title: 'Deuxième relance de paiement',
          salutation,
          intro: [`malgré notre précédente relance, la somme de ${bal} relative ${invA} reste impayée.`],
          outro: [
            `Nous vous demandons de régulariser votre situation avant le ${d(ctx.deadline)}. À défaut, nous serons contraints de suspendre les livraisons et d’engager le recouvrement de notre créance, majorée des intérêts de retard et des frais de recouvrement.`,
            paid,
          ],
          closing,
          signature,
          sms: `${company} : deuxième relance, ${bal} toujours impayés (${inv}). Réglez avant le ${d(ctx.deadline)} pour éviter la suspension des livraisons. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message automatique de ${company}. Malgré notre précédente relance, la somme de ${bal} reste impayée. Merci de la régler avant le ${d(ctx.deadline)}.`,
        };
      case 'call':
        return {
          subject: `Demande de contact – ${inv}`,
          title: 'Demande de contact',
          salutation,
          intro: [`la somme de ${bal} relative ${invA} est échue. Un de nos chargés de recouvrement va vous appeler.`],
          outro: [`Vous pouvez aussi nous joindre au ${phone} en indiquant la référence ${ctx.reference}.`, paid],
          closing,
          signature,
          sms: `${company} : ${bal} échus (${inv}). Nous allons vous appeler ; vous pouvez nous joindre au ${phone}. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. La somme de ${bal} relative ${invA} est échue. Merci de nous rappeler au ${phone}.`,
        };
      case 'repayment-plan':
        return {
          subject: `Échéancier de paiement convenu – ${inv}`,
          title: 'Échéancier de paiement',
          salutation,
          intro: [
            `suite à notre accord, nous vous confirmons l’échéancier de paiement de ${bal} relatif ${invA}, en ${instalmentCount} échéances :`,
          ],
          outro: [
            `Le défaut de paiement d’une seule échéance, passé un délai de ${plan?.graceDays ?? 0} jours, entraîne la déchéance du terme : l’échéancier est résolu et la totalité du solde devient immédiatement exigible.`,
            'Merci de nous retourner un exemplaire signé de ce courrier.',
          ],
          closing,
          signature,
          sms: `${company} : échéancier confirmé, ${bal} en ${instalmentCount} échéances. Détails par e-mail. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. Nous vous confirmons l’échéancier de ${bal} en ${instalmentCount} échéances.`,
        };
      case 'formal-notice':
        return {
          subject: `Mise en demeure de payer – ${inv}`,
          title: 'Mise en demeure de payer',
          salutation,
          intro: [
            `malgré nos relances, la somme de ${bal} relative ${invA} reste impayée.`,
            'Par la présente, nous vous mettons en demeure de vous acquitter de votre dette.',
          ],
          outro: [
            i
              ? `S’y ajoutent les intérêts de retard légaux (directive 2011/7/UE, D.Lgs. 231/2002), soit ${m(i.interestMinor)} au ${d(i.asOf)} et jusqu’au paiement complet${i.compensationMinor ? `, ainsi que l’indemnité forfaitaire pour frais de recouvrement de ${m(i.compensationMinor)}` : ''}.`
              : 'S’y ajoutent les intérêts de retard légaux jusqu’au paiement complet.',
            `Nous vous demandons de régler la somme totale de ${total} au plus tard le ${d(ctx.deadline)}, soit quinze jours à compter de la présente. À défaut, nous engagerons sans autre avis une procédure judiciaire de recouvrement, à vos frais.`,
          ],
          closing,
          signature,
          sms: `${company} : mise en demeure envoyée pour ${total} (${inv}). Délai : ${d(ctx.deadline)}. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. Nous vous avons adressé une mise en demeure pour la somme de ${total}, à régler avant le ${d(ctx.deadline)}.`,
        };
      case 'order-block':
        return {
          subject: `Suspension des livraisons – ${inv}`,
          title: 'Suspension des livraisons',
          salutation,
          intro: [
            `nous vous informons qu’en raison du non-paiement de ${bal} relatif ${invA}, l’acceptation de nouvelles commandes et les livraisons sont suspendues avec effet immédiat.`,
          ],
          outro: [
            'Les livraisons reprendront dès la régularisation de votre compte. Notre service crédit reste à votre disposition pour convenir de modalités de paiement.',
            paid,
          ],
          closing,
          signature,
          sms: `${company} : livraisons suspendues pour non-paiement de ${bal} (${inv}). Contactez-nous au ${phone}. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. Les livraisons sont suspendues pour non-paiement de ${bal}. Merci de nous contacter au ${phone}.`,
        };
    }
  }

  // English
  const salutation = ctx.consumer ? `Dear ${ctx.customerName},` : 'Dear Sir or Madam,';
  const signature = `Credit Department – ${company}`;
  const closing = 'Yours faithfully,';
  const paid = 'If you have already paid, please disregard this letter and send us the remittance advice.';
  switch (ctx.template) {
    case 'courtesy':
      return {
        subject: `Reminder: ${inv} is due on ${due}`,
        title: 'Courtesy notice – payment due',
        salutation,
        intro: [
          `This is a friendly reminder that ${inv} for ${bal} ${one ? 'falls due on' : 'fall due from'} ${due}.`,
          'Details:',
        ],
        outro: ['If payment is already on its way, please disregard this reminder. Thank you.'],
        closing: 'Kind regards,',
        signature,
        sms: `${company}: reminder, ${inv} for ${bal} is due on ${due}. Please ignore if already paid.`,
        voice: `Hello, this is an automated message from ${company}. This is a reminder that ${inv}, for ${bal}, is due on ${due}. Thank you.`,
      };
    case 'reminder-1':
      return {
        subject: `Payment reminder – ${inv}`,
        title: 'Payment reminder',
        salutation,
        intro: [
          `According to our records, ${bal} for ${inv}, ${one ? 'due on' : 'overdue since'} ${due}, is still unpaid.`,
        ],
        outro: [`Please arrange payment by ${d(ctx.deadline)}.`, paid],
        closing,
        signature,
        sms: `${company}: ${bal} is overdue (${inv}, due ${due}). Please pay by ${d(ctx.deadline)}. Ref. ${ctx.reference}`,
        voice: `Hello, this is an automated message from ${company}. ${bal} for ${inv}, ${one ? 'due on' : 'overdue since'} ${due}, is still unpaid. Please pay by ${d(ctx.deadline)} or contact us. Thank you.`,
      };
    case 'reminder-2':
      return {
        subject: `Second payment reminder – ${inv}`,
        title: 'Second payment reminder',
        salutation,
        intro: [`Despite our previous reminder, ${bal} for ${inv} is still unpaid.`],
        outro: [
          `Please settle your account by ${d(ctx.deadline)}. Otherwise we will have to suspend deliveries and take steps to recover the debt, together with late-payment interest and recovery costs.`,
          paid,
        ],
        closing,
        signature,
        sms: `${company}: second reminder, ${bal} still unpaid (${inv}). Pay by ${d(ctx.deadline)} to avoid suspension of deliveries. Ref. ${ctx.reference}`,
        voice: `Hello, this is an automated message from ${company}. Despite our previous reminder, ${bal} is still unpaid. Please pay by ${d(ctx.deadline)} or contact us as soon as possible.`,
      };
    case 'call':
      return {
        subject: `Please contact us – ${inv}`,
        title: 'Request for contact',
        salutation,
        intro: [`${bal} for ${inv} is overdue. One of our collectors will call you.`],
        outro: [`You can also call us on ${phone} quoting reference ${ctx.reference}.`, paid],
        closing,
        signature,
        sms: `${company}: ${bal} is overdue (${inv}). We will call you shortly; you can reach us on ${phone}. Ref. ${ctx.reference}`,
        voice: `Hello, this is a message from ${company}. ${bal} for ${inv} is overdue. Please call us back on ${phone}. Thank you.`,
      };
    case 'repayment-plan':
      return {
        subject: `Agreed repayment plan – ${inv}`,
        title: 'Repayment plan agreement',
        salutation,
        intro: [
          `Further to our discussion, we confirm the repayment plan for ${bal} on ${inv}, in ${instalmentCount} instalments:`,
        ],
        outro: [
          `If any instalment is not paid within ${plan?.graceDays ?? 0} days of its date, the plan ends and the whole remaining balance becomes due immediately.`,
          'Please return a signed copy of this letter.',
        ],
        closing,
        signature,
        sms: `${company}: repayment plan confirmed, ${bal} in ${instalmentCount} instalments. Details by e-mail. Ref. ${ctx.reference}`,
        voice: `Hello, this is a message from ${company}. We confirm your repayment plan of ${bal} in ${instalmentCount} instalments. Thank you.`,
      };
    case 'formal-notice':
      return {
        subject: `Formal notice of default – ${inv}`,
        title: 'Formal notice of default and demand for payment',
        salutation,
        intro: [
          `Despite our reminders, ${bal} for ${inv} remains unpaid.`,
          'We hereby formally give you notice of default and demand payment.',
        ],
        outro: [
          i
            ? `Statutory late-payment interest (Directive 2011/7/EU, Italian D.Lgs. 231/2002) is also due: ${m(i.interestMinor)} accrued up to ${d(i.asOf)} and continuing until payment${i.compensationMinor ? `, plus the fixed compensation for recovery costs of ${m(i.compensationMinor)}` : ''}.`
            : 'Statutory late-payment interest is also due until payment.',
          `We demand payment of the total of ${total} no later than ${d(ctx.deadline)}, fifteen days from the date of this letter. Failing that, we will start legal proceedings to recover the debt without further notice, at your expense.`,
        ],
        closing,
        signature,
        sms: `${company}: formal notice sent for ${total} (${inv}). Deadline ${d(ctx.deadline)}. Ref. ${ctx.reference}`,
        voice: `Hello, this is a message from ${company}. We have sent you a formal notice for ${total}, payable by ${d(ctx.deadline)}.`,
      };
    case 'order-block':
      return {
        subject: `Deliveries suspended – ${inv}`,
        title: 'Suspension of deliveries',
        salutation,
        intro: [`Because ${bal} for ${inv} is unpaid, new orders and deliveries are suspended with immediate effect.`],
        outro: [
          'Deliveries will resume as soon as your account is settled. Our credit department is available to agree on a payment arrangement.',
          paid,
        ],
        closing,
        signature,
        sms: `${company}: deliveries suspended, ${bal} unpaid (${inv}). Please call ${phone}. Ref. ${ctx.reference}`,
        voice: `Hello, this is a message from ${company}. Deliveries are suspended because ${bal} is unpaid. Please call us on ${phone}.`,
      };
  }
}

/** A rate as shown in letters, e.g. "10,15 %". */
export const rateLabel = (bp: number, lang: Language): string => percent(bp, lang);

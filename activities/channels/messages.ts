/**
 * Localized texts of every template (it, en, fr): e-mail subject and body, letter heading and paragraphs, SMS and
 * spoken voice message. Pure functions of a MessageContext; the letter and the e-mail are rendered from the same
 * paragraphs so that they never say different things.
 */
import type { Language } from '../../workflows/contract';
import type { ProvisionalRate } from '../../domain/interest';
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

/**
 * Days the debtor is given to pay: counted from the letter date, except the formal notice's, which runs from its
 * receipt (the PEC delivery receipt or the date the registered letter was delivered).
 */
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
  /** A consumer (B2C): outside D.Lgs. 231/2002 — legal rate of art. 1284 c.c., no EUR 40, personal salutation. */
  consumer: boolean;
  /** How the letter travels, stated on it: PEC or registered mail with return receipt. */
  delivery?: 'PEC' | 'RACCOMANDATA_AR';
  /** The named person who signs (LETTERHEAD_SIGNATORY / _ROLE). */
  signatory?: { name: string; role?: string };
  /** Policy `diffidaAdAdempiere`: the formal notice warns of termination under art. 1454 c.c. */
  diffidaAdAdempiere?: boolean;
  currency: string;
  invoices: MessageInvoice[];
  balanceMinor: number;
  reference: string;
  /** ISO date of the letter. */
  today: string;
  /** ISO date by which to pay (formal notice: today + 15 days). */
  deadline: string;
  interest?: {
    interestMinor: number;
    /** In the invoice currency (0 when a non-EUR EUR 40 could not be converted). */
    compensationMinor: number;
    /** The EUR 40 (4000 per invoice) when due, whatever the invoice currency. */
    compensationEurMinor?: number;
    totalMinor: number;
    asOf: string;
    /** Half-years computed with the last known rate because theirs is not published yet. */
    provisional?: ProvisionalRate[];
    /** Art. 1194 c.c.: what the partial payments already covered besides capital. */
    allocation?: 'capital-first' | 'interest-first' | 'costs-interest-first';
    paidToInterestMinor?: number;
    paidToCostsMinor?: number;
  };
  plan?: { instalments: Array<{ dueDate: string; amountMinor: number }>; graceDays: number };
  /**
   * A waiver in force for the customer or its policy (contexts/interest-claims/waivers.ts): the letter claims none of
   * the waived part — no interest line, no threat of charging it, no EUR 40 — and says nothing it would not claim.
   */
  waiver?: { interest: boolean; compensation: boolean };
  /** The debtor's personal portal link, when the portal is on (contexts/portal). */
  portal?: { url: string };
}

export interface RenderedMessage {
  subject: string;
  /** "A mezzo PEC" / "Raccomandata A.R." above the recipient, when the channel gives legal proof of receipt. */
  delivery?: string;
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
  /** Consumers: the interest table's title and note (art. 1284 c.c., no directive). */
  interestTitleConsumer: string;
  ratesNoteConsumer: string;
  /** Short column header of the EUR 40. */
  fixedSum: string;
  /** Recipient label for a person (the company label, e.g. "Spett.le", is for businesses only). */
  toPerson: string;
  /** The personal portal link (contexts/portal): its title and the sentence beside it. */
  portalTitle: string;
  portalText: string;
  /** Printed letters: beside the QR code and the short address. */
  portalScan: string;
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
      'Tasso = tasso di riferimento BCE del semestre + 8 punti percentuali (art. 5 D.Lgs. 231/2002); interessi calcolati su 365 giorni.',
    interestTitleConsumer: 'Interessi moratori al saggio legale (artt. 1224 e 1284 c.c.)',
    ratesNoteConsumer:
      'Tasso = saggio degli interessi legali dell’anno (art. 1284 c.c.); interessi calcolati su 365 giorni.',
    fixedSum: 'Forfettario',
    toPerson: '',
    portalTitle: 'La sua pagina personale',
    portalText:
      'Sulla sua pagina personale può vedere le fatture aperte, scaricare le lettere, pagare con il codice QR, indicare una data di pagamento, contestare una fattura o chiedere un piano di rientro:',
    portalScan: 'Inquadri il codice QR o digiti l’indirizzo:',
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
    interestTitleConsumer: 'Default interest at the Italian statutory rate (Arts. 1224 and 1284 Italian Civil Code)',
    ratesNoteConsumer:
      'Rate = Italian statutory interest rate of the year (Art. 1284 Civil Code); interest on a 365-day year.',
    fixedSum: 'Fixed sum',
    toPerson: 'To',
    portalTitle: 'Your personal page',
    portalText:
      'On your personal page you can see your open invoices, download our letters, pay with the QR code, tell us when you will pay, dispute an invoice or ask for a payment plan:',
    portalScan: 'Scan the QR code or type the address:',
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
    // Not "Échéance": the schedule's date column already says it, and the header must not repeat itself.
    instalment: 'Versement',
    vat: 'N° TVA',
    page: 'Page',
    to: 'À l’attention de',
    emailFooter: 'Message envoyé par le service crédit de',
    acceptance: 'Bon pour accord (signature et cachet du débiteur)',
    ratesNote: 'Taux = taux de référence BCE du semestre + 8 points de pourcentage ; intérêts sur 365 jours.',
    interestTitleConsumer: 'Intérêts moratoires au taux légal italien (art. 1224 et 1284 du Code civil italien)',
    ratesNoteConsumer:
      'Taux = taux d’intérêt légal italien de l’année (art. 1284 du Code civil italien) ; intérêts sur 365 jours.',
    fixedSum: 'Forfait',
    toPerson: 'À l’attention de',
    portalTitle: 'Votre page personnelle',
    portalText:
      'Sur votre page personnelle, vous pouvez consulter vos factures ouvertes, télécharger nos lettres, payer avec le code QR, nous indiquer une date de paiement, contester une facture ou demander un échéancier\u00a0:',
    portalScan: 'Scannez le code QR ou saisissez l’adresse\u00a0:',
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

/** Notes every interest-bearing text carries: a provisional rate (never silent) and the art. 1194 allocation. */
function interestNotes(ctx: MessageContext): string[] {
  const i = ctx.interest;
  if (!i) return [];
  const d = (iso: string): string => longDate(iso, ctx.lang);
  const pc = (bp: number): string => percent(bp, ctx.lang);
  const m = (minor: number): string => money(minor, ctx.currency, ctx.lang);
  const notes: string[] = [];
  for (const p of i.provisional ?? []) {
    const year = p.periodStart.slice(0, 4);
    if (p.kind === 'reference') {
      notes.push(
        {
          it: `Importo degli interessi provvisorio: il tasso di riferimento BCE per il semestre dal ${d(p.periodStart)} non è ancora stato pubblicato; per quel periodo è applicato il tasso in vigore dal ${d(p.usedFrom)} (${pc(p.rateBp)} + 8 punti = ${pc(p.rateBp + 800)}). Il calcolo sarà aggiornato alla pubblicazione del tasso.`,
          en: `Provisional interest figure: the ECB reference rate for the half-year from ${d(p.periodStart)} has not been published yet; for that period the rate in force from ${d(p.usedFrom)} is applied (${pc(p.rateBp)} + 8 points = ${pc(p.rateBp + 800)}). The figure will be updated once the rate is published.`,
          fr: `Montant des intérêts provisoire : le taux de référence BCE du semestre commençant le ${d(p.periodStart)} n’est pas encore publié ; pour cette période, le taux en vigueur depuis le ${d(p.usedFrom)} est appliqué (${pc(p.rateBp)} + 8 points = ${pc(p.rateBp + 800)}). Le calcul sera mis à jour dès sa publication.`,
        }[ctx.lang],
      );
    } else {
      notes.push(
        {
          it: `Importo degli interessi provvisorio: il saggio degli interessi legali per il ${year} non è ancora stato pubblicato; è applicato quello in vigore dal ${d(p.usedFrom)} (${pc(p.rateBp)}).`,
          en: `Provisional interest figure: the Italian statutory interest rate for ${year} has not been published yet; the rate in force from ${d(p.usedFrom)} is applied (${pc(p.rateBp)}).`,
          fr: `Montant des intérêts provisoire : le taux d’intérêt légal italien pour ${year} n’est pas encore publié ; le taux en vigueur depuis le ${d(p.usedFrom)} est appliqué (${pc(p.rateBp)}).`,
        }[ctx.lang],
      );
    }
  }
  const toInterest = i.paidToInterestMinor ?? 0;
  const toCosts = i.paidToCostsMinor ?? 0;
  if (toInterest + toCosts > 0) {
    notes.push(
      {
        it: `Ai sensi dell’art. 1194 c.c. i pagamenti parziali ricevuti sono stati imputati prima ${toCosts ? `alle spese (${m(toCosts)}) e ` : ''}agli interessi (${m(toInterest)}) e, per il resto, al capitale.`,
        en: `Under Art. 1194 of the Italian Civil Code, the part payments received were applied first to ${toCosts ? `costs (${m(toCosts)}) and ` : ''}interest (${m(toInterest)}) and then to the principal.`,
        fr: `Conformément à l’art. 1194 du Code civil italien, les paiements partiels reçus ont été imputés d’abord sur ${toCosts ? `les frais (${m(toCosts)}) et ` : ''}les intérêts (${m(toInterest)}), puis sur le capital.`,
      }[ctx.lang],
    );
  }
  return notes;
}

const DELIVERY: Record<Language, Record<'PEC' | 'RACCOMANDATA_AR', string>> = {
  it: { PEC: 'A mezzo PEC', RACCOMANDATA_AR: 'Raccomandata A.R.' },
  en: { PEC: 'By certified e-mail (PEC)', RACCOMANDATA_AR: 'By registered post with advice of delivery' },
  fr: {
    PEC: 'Par courrier électronique certifié (PEC)',
    RACCOMANDATA_AR: 'Par lettre recommandée avec accusé de réception',
  },
};

/** French letters go on with a capital after "Madame, Monsieur," (Italian ones with lower case after the comma). */
const capitalize = (s: string): string => s.charAt(0).toLocaleUpperCase('fr-FR') + s.slice(1);

function renderTexts(ctx: MessageContext): RenderedMessage {
  const r = renderBody(ctx);
  const withNotes = { ...r, outro: [...interestNotes(ctx), ...r.outro] };
  const delivery = ctx.delivery ? DELIVERY[ctx.lang][ctx.delivery] : undefined;
  if (ctx.lang === 'fr') withNotes.intro = withNotes.intro.map((p, n) => (n === 0 ? capitalize(p) : p));
  return delivery ? { ...withNotes, delivery } : withNotes;
}

function renderBody(ctx: MessageContext): RenderedMessage {
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
  const b2c = ctx.consumer;
  // The EUR 40 of a non-EUR invoice with no known exchange rate is stated in euro, beside the total, never as 0.
  const eurOnly =
    i && i.compensationEurMinor && !i.compensationMinor ? money(i.compensationEurMinor, 'EUR', ctx.lang) : null;
  // The EUR 40 is due per invoice: "40,00 € per fattura, in totale 80,00 €" when the letter covers several.
  const fixedCount = i
    ? Math.round((i.compensationEurMinor ?? (ctx.currency === 'EUR' ? i.compensationMinor : 0)) / 4000)
    : 0;
  const fixedEach = (total: number, cur: string): string =>
    money(Math.round(total / Math.max(1, fixedCount)), cur, ctx.lang);
  const each = { it: 'per fattura, in totale', en: 'per invoice, in total', fr: 'par facture, soit au total' }[
    ctx.lang
  ];
  const fixedOf = (total: number, cur: string): string =>
    fixedCount > 1 ? `${fixedEach(total, cur)} ${each} ${money(total, cur, ctx.lang)}` : money(total, cur, ctx.lang);
  const fixed = !i
    ? null
    : i.compensationMinor
      ? fixedOf(i.compensationMinor, ctx.currency)
      : eurOnly
        ? fixedOf(i.compensationEurMinor ?? 0, 'EUR')
        : null;
  const plus = { it: 'oltre a', en: 'plus', fr: 'plus' }[ctx.lang];
  const total = `${m(ctx.balanceMinor + (i ? i.totalMinor : 0))}${eurOnly ? ` ${plus} ${eurOnly}` : ''}`;
  const plan = ctx.plan;
  const instalmentCount = plan?.instalments.length ?? 0;
  const grace = plan?.graceDays ?? 0;
  const diffida = ctx.diffidaAdAdempiere === true && !b2c;
  // What the letter may still claim: a waiver removes its part; consumers never owe the EUR 40 (art. 2 D.Lgs. 231/2002).
  const waivedInterest = ctx.waiver?.interest === true;
  const waivedFixed = ctx.waiver?.compensation === true || b2c;
  // The second reminder's warning names only what would still be charged.
  const charged = (parts: Array<string | false>, lead: string, joiner: string): string => {
    const kept = parts.filter((x): x is string => Boolean(x));
    return kept.length ? `${lead} ${kept.join(joiner)}` : '';
  };
  const sign = (department: string): string =>
    [ctx.signatory?.name, ctx.signatory?.role, `${department} – ${company}`].filter(Boolean).join('\n');

  if (ctx.lang === 'it') {
    // "Spett.le" and the plural "voi" belong to businesses; a consumer is addressed by name with "Lei".
    const salutation = b2c ? `Gentile ${ctx.customerName},` : 'Egregi Signori,';
    const signature = sign('Ufficio Crediti');
    const closing = 'Distinti saluti.';
    const paid =
      'Qualora abbiate già provveduto al pagamento, vi preghiamo di non tenere conto della presente e di inviarci copia della contabile.';
    const you = b2c
      ? {
          paid: 'Qualora abbia già provveduto al pagamento, la preghiamo di non tenere conto della presente e di inviarci copia della contabile.',
        }
      : { paid };
    switch (ctx.template) {
      case 'courtesy':
        return {
          subject: `Promemoria: ${inv} in scadenza il ${due}`,
          title: 'Avviso di cortesia – scadenza di pagamento',
          salutation,
          intro: [
            b2c
              ? `le ricordiamo che ${inv} per un importo di ${bal} ${one ? 'scadrà il' : 'scadranno a partire dal'} ${due}.`
              : `vi ricordiamo che ${inv} per un importo di ${bal} ${one ? 'scadrà il' : 'scadranno a partire dal'} ${due}.`,
            'Di seguito il dettaglio:',
          ],
          outro: [
            b2c
              ? 'Se ha già disposto il pagamento, non tenga conto di questo promemoria. Grazie per la collaborazione.'
              : 'Se il pagamento è già stato disposto, non tenete conto di questo promemoria. Grazie per la collaborazione.',
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
          outro: [
            b2c
              ? `La preghiamo di provvedere al pagamento entro il ${d(ctx.deadline)}.`
              : `Vi preghiamo di provvedere al pagamento entro il ${d(ctx.deadline)}.`,
            you.paid,
          ],
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
            b2c
              ? `La invitiamo a regolarizzare la posizione entro il ${d(ctx.deadline)}. In mancanza saremo costretti ad avviare le azioni a tutela del credito${charged([!waivedInterest && 'degli interessi di mora al saggio legale'], ', con addebito', ' e ')}.`
              : `Vi invitiamo a regolarizzare la posizione entro il ${d(ctx.deadline)}. In mancanza saremo costretti a sospendere le forniture e ad avviare le azioni a tutela del credito${charged([!waivedInterest && 'degli interessi di mora', !waivedFixed && 'delle spese di recupero'], ', con addebito', ' e ')}.`,
            you.paid,
          ],
          closing,
          signature,
          sms: b2c
            ? `${company}: secondo sollecito, ${bal} ancora da pagare (${inv}). La preghiamo di pagare entro il ${d(ctx.deadline)}. Rif. ${ctx.reference}`
            : `${company}: secondo sollecito, ${bal} ancora insoluti (${inv}). Pagate entro il ${d(ctx.deadline)} per evitare la sospensione delle forniture. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio automatico di ${company}. Nonostante il precedente sollecito, risulta ancora insoluto l’importo di ${bal}. La preghiamo di pagare entro il ${d(ctx.deadline)} o di contattarci al più presto. Grazie.`,
        };
      case 'call':
        return {
          subject: `Richiesta di contatto – ${inv}`,
          title: 'Richiesta di contatto',
          salutation,
          intro: [
            b2c
              ? `risulta scaduto l’importo di ${bal} relativo ${invA}. Un nostro incaricato la contatterà telefonicamente.`
              : `risulta scaduto l’importo di ${bal} relativo ${invA}. Un nostro incaricato vi contatterà telefonicamente.`,
          ],
          outro: [
            b2c
              ? `Può anche contattarci al ${phone} indicando il riferimento ${ctx.reference}.`
              : `Potete anche contattarci al ${phone} indicando il riferimento ${ctx.reference}.`,
            you.paid,
          ],
          closing,
          signature,
          sms: `${company}: risulta scaduto ${bal} (${inv}). Vi contatteremo a breve; potete chiamarci al ${phone}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Risulta scaduto l’importo di ${bal} relativo ${invA}. La preghiamo di richiamarci al ${phone}. Grazie.`,
        };
      case 'repayment-plan':
        return {
          subject: `Piano di rientro e riconoscimento di debito – ${inv}`,
          title: 'Piano di rientro e riconoscimento di debito',
          salutation,
          intro: [
            `a seguito degli accordi intercorsi, vi confermiamo il piano di rientro dell’importo di ${bal} relativo ${invA}, in ${instalmentCount} rate come da prospetto:`,
          ],
          outro: [
            `Sottoscrivendo la presente riconoscete di dovere l’importo di ${bal} per le causali sopra indicate (ricognizione di debito ai sensi dell’art. 1988 c.c.).`,
            b2c
              ? 'Se tutte le rate saranno pagate alle scadenze indicate, non saranno addebitati gli interessi di mora.'
              : 'Se tutte le rate saranno pagate alle scadenze indicate, non saranno addebitati gli interessi moratori né l’importo forfettario di 40 € per fattura (art. 6 D.Lgs. 231/2002).',
            b2c
              ? `Il mancato pagamento anche di una sola rata, decorsi ${grace} giorni di tolleranza, comporta la decadenza dal beneficio del termine (art. 1186 c.c.): l’intero residuo diventerà immediatamente esigibile, con gli interessi di mora al saggio legale dalle scadenze originarie.`
              : `Il mancato pagamento anche di una sola rata, decorsi ${grace} giorni di tolleranza, comporta la decadenza dal beneficio del termine (art. 1186 c.c.): l’intero residuo diventerà immediatamente esigibile, con gli interessi moratori dalle scadenze originarie delle fatture e l’importo forfettario di 40 € per fattura (artt. 5 e 6 D.Lgs. 231/2002).`,
            'Il piano concede soltanto una dilazione di pagamento e non costituisce novazione (art. 1230 c.c.): restano ferme le obbligazioni originarie e le relative garanzie.',
            b2c
              ? 'La preghiamo di restituirci copia della presente firmata per accettazione.'
              : 'Vi preghiamo di restituirci copia della presente firmata per accettazione.',
          ],
          closing,
          signature,
          sms: `${company}: confermato il piano di rientro di ${bal} in ${instalmentCount} rate. Dettagli via e-mail. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le confermiamo il piano di rientro di ${bal} in ${instalmentCount} rate. Grazie.`,
        };
      case 'formal-notice': {
        const title = diffida ? 'Diffida ad adempiere e costituzione in mora' : 'Costituzione in mora';
        const interestLine: string | null = waivedInterest
          ? // Interest waived: at most the EUR 40, when it is still claimed and due.
            waivedFixed || !fixed
            ? null
            : `È inoltre dovuto l’importo forfettario di ${fixed} a titolo di risarcimento dei costi di recupero (art. 6 D.Lgs. 231/2002).`
          : !i
            ? b2c
              ? 'Sono inoltre dovuti gli interessi di mora al saggio legale (artt. 1224 e 1284 c.c.) fino al saldo.'
              : 'Sono inoltre dovuti gli interessi moratori ai sensi del D.Lgs. 231/2002 fino al saldo.'
            : b2c
              ? `Sono inoltre dovuti gli interessi di mora al saggio legale (artt. 1224 e 1284 c.c.), pari a ${m(i.interestMinor)} maturati al ${d(i.asOf)} e in ulteriore maturazione fino al saldo.`
              : `Sono inoltre dovuti gli interessi moratori ai sensi dell’art. 5 del D.Lgs. 231/2002, pari a ${m(i.interestMinor)} maturati al ${d(i.asOf)} e in ulteriore maturazione fino al saldo${fixed ? `, e l’importo forfettario di ${fixed} a titolo di risarcimento dei costi di recupero (art. 6 D.Lgs. 231/2002)` : ''}.`;
        return {
          subject: `${title} – ${inv}`,
          title,
          salutation,
          intro: [
            `nonostante i nostri precedenti solleciti, risulta tuttora insoluto l’importo di ${bal} relativo ${invA}.`,
            diffida
              ? 'Con la presente, ai sensi e per gli effetti degli artt. 1219 e 1454 c.c., vi costituiamo formalmente in mora e vi diffidiamo ad adempiere.'
              : b2c
                ? 'Con la presente, ai sensi e per gli effetti dell’art. 1219 c.c., la costituiamo formalmente in mora.'
                : 'Con la presente, ai sensi e per gli effetti dell’art. 1219 c.c., vi costituiamo formalmente in mora.',
          ],
          outro: [
            ...(interestLine ? [interestLine] : []),
            b2c
              ? `La invitiamo a pagare la somma complessiva di ${total} entro quindici giorni dal ricevimento della presente.`
              : `Vi intimiamo di pagare la somma complessiva di ${total} entro quindici giorni dal ricevimento della presente.`,
            diffida
              ? 'Decorso inutilmente tale termine, il contratto s’intenderà risolto di diritto ai sensi dell’art. 1454 c.c., salvo il risarcimento del danno, e procederemo senza ulteriore avviso al recupero giudiziale di quanto dovuto, con aggravio di spese a vostro carico.'
              : b2c
                ? 'Decorso inutilmente tale termine, procederemo senza ulteriore avviso al recupero giudiziale del credito, con aggravio di spese a suo carico.'
                : 'Decorso inutilmente tale termine, procederemo senza ulteriore avviso al recupero giudiziale del credito, con aggravio di spese a vostro carico.',
            'La presente vale anche quale atto interruttivo della prescrizione ai sensi dell’art. 2943 c.c.',
          ],
          closing,
          signature,
          sms: `${company}: ${diffida ? 'inviata diffida ad adempiere' : 'inviata costituzione in mora'} per ${total} (${inv}). Termine: 15 giorni dal ricevimento. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le abbiamo inviato ${diffida ? 'una diffida ad adempiere' : 'una costituzione in mora'} per l’importo di ${total}, da pagare entro quindici giorni dal ricevimento. Grazie.`,
        };
      }
      case 'order-block':
        return {
          subject: `Sospensione delle forniture – ${inv}`,
          title: 'Sospensione delle forniture',
          salutation,
          intro: [
            b2c
              ? `la informiamo che, a causa del mancato pagamento di ${bal} relativo ${invA}, le forniture sono sospese con effetto immediato.`
              : `vi informiamo che, a causa del mancato pagamento di ${bal} relativo ${invA}, l’accettazione di nuovi ordini e le forniture sono sospese con effetto immediato.`,
          ],
          outro: [
            b2c
              ? 'Le forniture riprenderanno non appena la posizione sarà regolarizzata. Per concordare modalità di pagamento può contattare il nostro ufficio crediti.'
              : 'Le forniture riprenderanno non appena la posizione sarà regolarizzata. Per concordare modalità di pagamento potete contattare il nostro ufficio crediti.',
            you.paid,
          ],
          closing,
          signature,
          sms: `${company}: forniture sospese per mancato pagamento di ${bal} (${inv}). Contattateci al ${phone}. Rif. ${ctx.reference}`,
          voice: `Buongiorno, questo è un messaggio di ${company}. Le forniture sono sospese per il mancato pagamento di ${bal}. La preghiamo di contattarci al ${phone}. Grazie.`,
        };
    }
  }

  if (ctx.lang === 'fr') {
    // "Madame, Monsieur," stands alone: a name after it ("Madame, Monsieur Mario Rossi") is not French usage.
    const salutation = 'Madame, Monsieur,';
    const signature = sign('Service crédit');
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
            b2c
              ? `Nous vous demandons de régulariser votre situation avant le ${d(ctx.deadline)}. À défaut, nous serons contraints d’engager le recouvrement de notre créance${charged([!waivedInterest && 'des intérêts moratoires au taux légal'], ', majorée', ' et ')}.`
              : `Nous vous demandons de régulariser votre situation avant le ${d(ctx.deadline)}. À défaut, nous serons contraints de suspendre les livraisons et d’engager le recouvrement de notre créance${charged([!waivedInterest && 'des intérêts de retard', !waivedFixed && 'des frais de recouvrement'], ', majorée', ' et ')}.`,
            paid,
          ],
          closing,
          signature,
          sms: b2c
            ? `${company} : deuxième relance, ${bal} toujours impayés (${inv}). Merci de régler avant le ${d(ctx.deadline)}. Réf. ${ctx.reference}`
            : `${company} : deuxième relance, ${bal} toujours impayés (${inv}). Réglez avant le ${d(ctx.deadline)} pour éviter la suspension des livraisons. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message automatique de ${company}. Malgré notre précédente relance, la somme de ${bal} reste impayée. Merci de la régler avant le ${d(ctx.deadline)}.`,
        };
      case 'call':
        return {
          subject: `Demande de contact – ${inv}`,
          title: 'Demande de contact',
          salutation,
          intro: [
            `la somme de ${bal} relative ${invA} est échue. L’un de nos chargés de recouvrement va vous appeler.`,
          ],
          outro: [`Vous pouvez aussi nous joindre au ${phone} en indiquant la référence ${ctx.reference}.`, paid],
          closing,
          signature,
          sms: `${company} : ${bal} échus (${inv}). Nous allons vous appeler ; vous pouvez nous joindre au ${phone}. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. La somme de ${bal} relative ${invA} est échue. Merci de nous rappeler au ${phone}.`,
        };
      case 'repayment-plan':
        return {
          subject: `Échéancier de paiement et reconnaissance de dette – ${inv}`,
          title: 'Échéancier de paiement et reconnaissance de dette',
          salutation,
          intro: [
            `suite à notre accord, nous vous confirmons l’échéancier de paiement de ${bal} relatif ${invA}, en ${instalmentCount} versements :`,
          ],
          outro: [
            `En signant ce courrier, vous reconnaissez devoir la somme de ${bal} au titre des factures ci-dessus (reconnaissance de dette au sens de l’art. 1988 du Code civil italien).`,
            b2c
              ? 'Si tous les versements sont effectués aux dates prévues, aucun intérêt moratoire ne sera réclamé.'
              : 'Si tous les versements sont effectués aux dates prévues, ni les intérêts de retard ni l’indemnité forfaitaire de 40 € par facture (art. 6 D.Lgs. 231/2002) ne seront réclamés.',
            b2c
              ? `Le défaut de paiement d’un seul versement, passé un délai de ${grace} jours, entraîne la déchéance du terme (art. 1186 du Code civil italien) : la totalité du solde devient immédiatement exigible, avec les intérêts moratoires au taux légal depuis les échéances initiales.`
              : `Le défaut de paiement d’un seul versement, passé un délai de ${grace} jours, entraîne la déchéance du terme (art. 1186 du Code civil italien) : la totalité du solde devient immédiatement exigible, avec les intérêts de retard depuis les échéances initiales des factures et l’indemnité forfaitaire de 40 € par facture (art. 5 et 6 D.Lgs. 231/2002).`,
            'Cet échéancier accorde un simple délai de paiement et ne vaut pas novation (art. 1230 du Code civil italien) : les obligations initiales et leurs garanties demeurent.',
            'Merci de nous retourner un exemplaire de ce courrier signé pour accord.',
          ],
          closing,
          signature,
          sms: `${company} : échéancier confirmé, ${bal} en ${instalmentCount} versements. Détails par e-mail. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. Nous vous confirmons l’échéancier de ${bal} en ${instalmentCount} versements.`,
        };
      case 'formal-notice':
        return {
          subject: `Mise en demeure de payer – ${inv}`,
          title: 'Mise en demeure de payer',
          salutation,
          intro: [
            `malgré nos relances, la somme de ${bal} relative ${invA} reste impayée.`,
            diffida
              ? 'Par la présente, nous vous mettons en demeure de vous acquitter de votre dette (art. 1219 et 1454 du Code civil italien).'
              : 'Par la présente, nous vous mettons en demeure de vous acquitter de votre dette (art. 1219 du Code civil italien).',
          ],
          outro: [
            ...(waivedInterest
              ? waivedFixed || !fixed
                ? []
                : [
                    `S’y ajoute l’indemnité forfaitaire pour frais de recouvrement de ${fixed} (art. 6 D.Lgs. 231/2002).`,
                  ]
              : [
                  !i
                    ? b2c
                      ? 'S’y ajoutent les intérêts moratoires au taux légal italien (art. 1224 et 1284 du Code civil italien) jusqu’au paiement complet.'
                      : 'S’y ajoutent les intérêts de retard légaux (directive 2011/7/UE, D.Lgs. 231/2002) jusqu’au paiement complet.'
                    : b2c
                      ? `S’y ajoutent les intérêts moratoires au taux légal italien (art. 1224 et 1284 du Code civil italien), soit ${m(i.interestMinor)} au ${d(i.asOf)} et jusqu’au paiement complet.`
                      : `S’y ajoutent les intérêts de retard légaux (directive 2011/7/UE, art. 5 D.Lgs. 231/2002), soit ${m(i.interestMinor)} au ${d(i.asOf)} et jusqu’au paiement complet${fixed ? `, ainsi que l’indemnité forfaitaire pour frais de recouvrement de ${fixed} (art. 6)` : ''}.`,
                ]),
            `Nous vous demandons de régler la somme totale de ${total} dans un délai de quinze jours à compter de la réception de la présente.`,
            diffida
              ? 'À défaut, le contrat sera résolu de plein droit (art. 1454 du Code civil italien), sans préjudice de dommages-intérêts, et nous engagerons sans autre avis une procédure judiciaire de recouvrement, à vos frais.'
              : 'À défaut, nous engagerons sans autre avis une procédure judiciaire de recouvrement, à vos frais.',
            'La présente interrompt la prescription (art. 2943 du Code civil italien).',
          ],
          closing,
          signature,
          sms: `${company} : mise en demeure envoyée pour ${total} (${inv}). Délai : 15 jours à compter de la réception. Réf. ${ctx.reference}`,
          voice: `Bonjour, ceci est un message de ${company}. Nous vous avons adressé une mise en demeure pour la somme de ${total}, à régler dans les quinze jours suivant sa réception.`,
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
  const salutation = b2c ? `Dear ${ctx.customerName},` : 'Dear Sir or Madam,';
  const signature = sign('Credit Department');
  const closing = b2c ? 'Yours sincerely,' : 'Yours faithfully,';
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
          b2c
            ? `Please settle your account by ${d(ctx.deadline)}. Otherwise we will have to take steps to recover the debt${charged([!waivedInterest && 'default interest at the statutory rate'], ', together with', ' and ')}.`
            : `Please settle your account by ${d(ctx.deadline)}. Otherwise we will have to suspend deliveries and take steps to recover the debt${charged([!waivedInterest && 'late-payment interest', !waivedFixed && 'recovery costs'], ', together with', ' and ')}.`,
          paid,
        ],
        closing,
        signature,
        sms: b2c
          ? `${company}: second reminder, ${bal} still unpaid (${inv}). Please pay by ${d(ctx.deadline)}. Ref. ${ctx.reference}`
          : `${company}: second reminder, ${bal} still unpaid (${inv}). Pay by ${d(ctx.deadline)} to avoid suspension of deliveries. Ref. ${ctx.reference}`,
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
        subject: `Repayment plan and acknowledgment of debt – ${inv}`,
        title: 'Repayment plan and acknowledgment of debt',
        salutation,
        intro: [
          `Further to our discussion, we confirm the repayment plan for ${bal} on ${inv}, in ${instalmentCount} instalments:`,
        ],
        outro: [
          `By signing this letter you acknowledge that you owe ${bal} for the invoices above (acknowledgment of debt under Art. 1988 of the Italian Civil Code).`,
          b2c
            ? 'If every instalment is paid on its date, no default interest will be charged.'
            : 'If every instalment is paid on its date, neither late-payment interest nor the fixed compensation of €40 per invoice (Art. 6 D.Lgs. 231/2002) will be charged.',
          b2c
            ? `If any instalment is not paid within ${grace} days of its date, you lose the benefit of the term (Art. 1186 Italian Civil Code): the whole remaining balance becomes due at once, with default interest at the statutory rate from the original due dates.`
            : `If any instalment is not paid within ${grace} days of its date, you lose the benefit of the term (Art. 1186 Italian Civil Code): the whole remaining balance becomes due at once, with late-payment interest from the invoices' original due dates and the fixed compensation of €40 per invoice (Arts. 5 and 6 D.Lgs. 231/2002).`,
          'The plan only grants time to pay and is not a novation (Art. 1230 Italian Civil Code): the original obligations and any security for them remain in force.',
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
          diffida
            ? 'We hereby formally give you notice of default and require you to perform (Arts. 1219 and 1454 of the Italian Civil Code).'
            : 'We hereby formally give you notice of default (Art. 1219 of the Italian Civil Code) and demand payment.',
        ],
        outro: [
          ...(waivedInterest
            ? waivedFixed || !fixed
              ? []
              : [`The fixed compensation for recovery costs of ${fixed} (Art. 6 Italian D.Lgs. 231/2002) is also due.`]
            : [
                !i
                  ? b2c
                    ? 'Default interest at the Italian statutory rate (Arts. 1224 and 1284 Italian Civil Code) is also due until payment.'
                    : 'Statutory late-payment interest (Directive 2011/7/EU, Italian D.Lgs. 231/2002) is also due until payment.'
                  : b2c
                    ? `Default interest at the Italian statutory rate (Arts. 1224 and 1284 Italian Civil Code) is also due: ${m(i.interestMinor)} accrued up to ${d(i.asOf)} and continuing until payment.`
                    : `Statutory late-payment interest (Directive 2011/7/EU, Art. 5 Italian D.Lgs. 231/2002) is also due: ${m(i.interestMinor)} accrued up to ${d(i.asOf)} and continuing until payment${fixed ? `, plus the fixed compensation for recovery costs of ${fixed} (Art. 6)` : ''}.`,
              ]),
          `We demand payment of the total of ${total} within fifteen days of your receipt of this letter.`,
          diffida
            ? 'Failing that, the contract will be terminated by operation of law (Art. 1454 Italian Civil Code), without prejudice to damages, and we will start legal proceedings to recover what is owed without further notice, at your expense.'
            : 'Failing that, we will start legal proceedings to recover the debt without further notice, at your expense.',
          'This letter also interrupts the limitation period (Art. 2943 Italian Civil Code).',
        ],
        closing,
        signature,
        sms: `${company}: formal notice sent for ${total} (${inv}). Deadline: 15 days from receipt. Ref. ${ctx.reference}`,
        voice: `Hello, this is a message from ${company}. We have sent you a formal notice for ${total}, payable within fifteen days of receipt.`,
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

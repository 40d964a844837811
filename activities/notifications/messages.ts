/**
 * The texts of the notifications to our own users, in it/en/fr. Pure: the facts come from the Notification row's
 * params (written by contexts/notifications/planner.ts), the language is the recipient's, dates are shown in the
 * business time zone and the recipient's locale, money in its currency's own digits.
 */
import type { Language } from '../../workflows/contract';
import type { DigestContent } from '../../contexts/notifications/planner';
import type { NotificationKind } from '../../contexts/notifications/preferences';
import { escapeHtml, LOCALES, money, shortDate } from '../channels/format';

export interface RenderedNotification {
  subject: string;
  /** Paragraphs; a paragraph that is a list is an array of lines. */
  blocks: Array<string | string[]>;
  text: string;
  html: string;
}

type P = Record<string, unknown>;

const STEP: Record<Language, Record<string, string>> = {
  it: { FORMAL_NOTICE: 'la diffida (messa in mora)', LEGAL: "l'azione legale" },
  en: { FORMAL_NOTICE: 'the formal notice (diffida / messa in mora)', LEGAL: 'legal action' },
  fr: { FORMAL_NOTICE: 'la mise en demeure', LEGAL: "l'action en justice" },
};

const TASK: Record<Language, Record<string, string>> = {
  it: {
    APPROVE_LEGAL: 'Approvazione azione legale',
    APPROVE_PLAN: 'Approvazione piano di rientro',
    APPROVE_PAUSE: 'Approvazione sospensione del sollecito',
    APPROVE_WRITE_OFF: 'Approvazione stralcio',
    CALL: 'Telefonata',
    REVIEW_DISPUTE: 'Esame contestazione',
    FIX_CONTACT: 'Correggere i recapiti',
    CALLBACK: 'Richiamare',
    REVIEW_LETTER: 'Rivedere la lettera',
    ERP_REFUSED: "Richiesta rifiutata dall'ERP",
  },
  en: {
    APPROVE_LEGAL: 'Approve legal action',
    APPROVE_PLAN: 'Approve a repayment plan',
    APPROVE_PAUSE: 'Approve a pause of dunning',
    APPROVE_WRITE_OFF: 'Approve a write-off',
    CALL: 'Call',
    REVIEW_DISPUTE: 'Review a dispute',
    FIX_CONTACT: 'Fix contact details',
    CALLBACK: 'Call back',
    REVIEW_LETTER: 'Review a letter',
    ERP_REFUSED: 'Request refused by the ERP',
  },
  fr: {
    APPROVE_LEGAL: "Approuver l'action en justice",
    APPROVE_PLAN: 'Approuver un plan d’apurement',
    APPROVE_PAUSE: 'Approuver une suspension des relances',
    APPROVE_WRITE_OFF: 'Approuver une passation en perte',
    CALL: 'Appel',
    REVIEW_DISPUTE: 'Examiner une contestation',
    FIX_CONTACT: 'Corriger les coordonnées',
    CALLBACK: 'Rappeler',
    REVIEW_LETTER: 'Relire une lettre',
    ERP_REFUSED: "Demande refusée par l'ERP",
  },
};

const DISPUTE: Record<Language, Record<string, string>> = {
  it: { REJECTED: 'respinta', ACCEPTED: 'accolta', PARTIAL: 'accolta in parte' },
  en: { REJECTED: 'rejected', ACCEPTED: 'accepted', PARTIAL: 'partly accepted' },
  fr: { REJECTED: 'rejetée', ACCEPTED: 'acceptée', PARTIAL: 'acceptée en partie' },
};

const L = {
  it: {
    hello: (n: string) => `Buongiorno ${n},`,
    footer: 'Messaggio automatico di Segugio. Le preferenze di notifica si cambiano nella console, pagina Preferenze.',
    required: 'Questa notifica è prevista dalla policy e non si può disattivare.',
    invoice: 'Fattura',
    due: 'scadenza',
    balance: 'saldo',
    none: '—',
  },
  en: {
    hello: (n: string) => `Hello ${n},`,
    footer: 'An automatic message from Segugio. Change your notification preferences in the console, Preferences page.',
    required: 'This notification is required by the policy and cannot be turned off.',
    invoice: 'Invoice',
    due: 'due',
    balance: 'balance',
    none: '—',
  },
  fr: {
    hello: (n: string) => `Bonjour ${n},`,
    footer:
      'Message automatique de Segugio. Les préférences de notification se modifient dans la console, page Préférences.',
    required: 'Cette notification est exigée par la politique et ne peut pas être désactivée.',
    invoice: 'Facture',
    due: 'échéance',
    balance: 'solde',
    none: '—',
  },
} satisfies Record<Language, unknown>;

/** An instant as the recipient reads it: date and time in the business time zone. */
export function when(isoInstant: string, lang: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeStyle: 'short', timeZone }).format(
    new Date(isoInstant),
  );
}

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const n = (v: unknown): number => Number(v ?? 0);

function body(
  kind: NotificationKind,
  p: P,
  lang: Language,
  tz: string,
): { subject: string; blocks: Array<string | string[]> } {
  const m = (minor: unknown, cur: unknown): string => money(n(minor), s(cur) || 'EUR', lang);
  const customer = s(p.customerName);
  const inv = s(p.invoiceNumber);
  switch (kind) {
    case 'order-block': {
      const lines = ((p.invoices as Array<P> | undefined) ?? []).map(
        (i) =>
          `${L[lang].invoice} ${s(i.number)} – ${L[lang].due} ${shortDate(s(i.dueDate), lang)} – ${L[lang].balance} ${m(i.balanceMinor, i.currency)}`,
      );
      const at = when(s(p.at), lang, tz);
      const t = {
        it: {
          subject: `Ordini bloccati: ${customer}`,
          intro: `gli ordini del tuo cliente ${customer} sono stati bloccati il ${at} per fatture scadute e non pagate. Non confermare nuovi ordini finché il blocco non viene rimosso.`,
          list: 'Fatture scadute:',
        },
        en: {
          subject: `Orders blocked: ${customer}`,
          intro: `orders of your customer ${customer} were blocked on ${at} because of overdue unpaid invoices. Do not confirm new orders until the block is released.`,
          list: 'Overdue invoices:',
        },
        fr: {
          subject: `Commandes bloquées : ${customer}`,
          intro: `les commandes de votre client ${customer} ont été bloquées le ${at} pour factures échues impayées. Ne confirmez pas de nouvelle commande avant la levée du blocage.`,
          list: 'Factures échues :',
        },
      }[lang];
      return { subject: t.subject, blocks: [t.intro, ...(lines.length ? [t.list, lines] : []), L[lang].required] };
    }
    case 'order-release': {
      const at = when(s(p.at), lang, tz);
      const t = {
        it: [`Ordini sbloccati: ${customer}`, `il blocco ordini del tuo cliente ${customer} è stato rimosso il ${at}.`],
        en: [`Orders released: ${customer}`, `the order block of your customer ${customer} was released on ${at}.`],
        fr: [
          `Commandes débloquées : ${customer}`,
          `le blocage des commandes de votre client ${customer} a été levé le ${at}.`,
        ],
      }[lang];
      return { subject: t[0], blocks: [t[1]] };
    }
    case 'step-ahead': {
      const step = STEP[lang][s(p.step)] ?? s(p.step);
      const at = when(s(p.at), lang, tz);
      const bal = m(p.balanceMinor, p.currency);
      const t = {
        it: [
          `In arrivo ${step}: ${customer}, fattura ${inv}`,
          `per la fattura ${inv} del tuo cliente ${customer} (saldo ${bal}) è prevista ${step} il ${at}.`,
          'Se puoi ottenere il pagamento o hai motivo di chiedere una sospensione, fallo prima di quella data.',
        ],
        en: [
          `Coming up, ${step}: ${customer}, invoice ${inv}`,
          `${step} is scheduled on ${at} for invoice ${inv} of your customer ${customer} (balance ${bal}).`,
          'If you can obtain payment or have reason to ask for a pause, do so before that date.',
        ],
        fr: [
          `À venir, ${step} : ${customer}, facture ${inv}`,
          `${step} est prévue le ${at} pour la facture ${inv} de votre client ${customer} (solde ${bal}).`,
          'Si vous pouvez obtenir le paiement ou avez des raisons de demander une suspension, faites-le avant cette date.',
        ],
      }[lang];
      return { subject: t[0], blocks: [t[1], t[2], L[lang].required] };
    }
    case 'promise-broken': {
      const date = shortDate(s(p.promisedDate), lang);
      const amt = m(p.amountMinor, p.currency);
      const t = {
        it: [
          `Promessa di pagamento non mantenuta: ${customer}`,
          `il tuo cliente ${customer} aveva promesso di pagare ${amt} entro il ${date} per la fattura ${inv}; il pagamento non è arrivato e il sollecito riprende.`,
        ],
        en: [
          `Promise to pay broken: ${customer}`,
          `your customer ${customer} promised to pay ${amt} by ${date} on invoice ${inv}; the payment did not arrive and dunning resumes.`,
        ],
        fr: [
          `Promesse de paiement non tenue : ${customer}`,
          `votre client ${customer} avait promis de payer ${amt} avant le ${date} pour la facture ${inv} ; le paiement n'est pas arrivé et les relances reprennent.`,
        ],
      }[lang];
      return { subject: t[0], blocks: [t[1]] };
    }
    case 'plan-broken': {
      const bal = m(p.balanceMinor, p.currency);
      const t = {
        it: [
          `Piano di rientro decaduto: ${customer}`,
          `il tuo cliente ${customer} ha mancato una rata del piano di rientro della fattura ${inv}: il piano è decaduto e l'intero saldo (${bal}) è di nuovo dovuto.`,
        ],
        en: [
          `Repayment plan broken: ${customer}`,
          `your customer ${customer} missed an instalment of the repayment plan on invoice ${inv}: the plan has ended and the whole balance (${bal}) is due again.`,
        ],
        fr: [
          `Plan d'apurement caduc : ${customer}`,
          `votre client ${customer} a manqué une échéance du plan d'apurement de la facture ${inv} : le plan a pris fin et la totalité du solde (${bal}) est de nouveau due.`,
        ],
      }[lang];
      return { subject: t[0], blocks: [t[1]] };
    }
    case 'approval':
    case 'approval-reminder': {
      const what = TASK[lang][s(p.taskKind)] ?? s(p.taskKind);
      const since = when(s(p.waitingSince), lang, tz);
      const about = [
        customer,
        inv ? `${L[lang].invoice} ${inv}` : '',
        p.balanceMinor != null ? m(p.balanceMinor, p.currency) : '',
      ]
        .filter(Boolean)
        .join(' – ');
      const reminder = kind === 'approval-reminder';
      const t = {
        it: [
          `${reminder ? 'Promemoria: approvazione ancora in attesa' : 'Approvazione in attesa'}: ${what}`,
          `${reminder ? 'è ancora in attesa della tua decisione' : 'attende la tua decisione'}: ${what}${about ? ` (${about})` : ''}, dal ${since}. Decidi nella console, pagina Approvazioni.`,
        ],
        en: [
          `${reminder ? 'Reminder: approval still waiting' : 'Approval waiting'}: ${what}`,
          `${reminder ? 'still waiting for your decision' : 'waiting for your decision'}: ${what}${about ? ` (${about})` : ''}, since ${since}. Decide in the console, Approvals page.`,
        ],
        fr: [
          `${reminder ? 'Rappel : approbation toujours en attente' : 'Approbation en attente'} : ${what}`,
          `${reminder ? 'toujours en attente de votre décision' : 'en attente de votre décision'} : ${what}${about ? ` (${about})` : ''}, depuis le ${since}. Décidez dans la console, page Approbations.`,
        ],
      }[lang];
      return { subject: t[0], blocks: [t[1], ...(reminder ? [] : [L[lang].required])] };
    }
    case 'digest': {
      const d = p as unknown as DigestContent;
      const t = {
        it: {
          subject: `La tua agenda del ${shortDate(d.date, lang)}`,
          intro: 'ecco cosa ti aspetta oggi.',
          tasks: 'Nuove attività',
          due: 'Promesse in scadenza oggi',
          broken: 'Promesse non mantenute ieri',
          disputes: 'Contestazioni con risposta',
          dueBy: 'entro',
          dispute: 'contestazione',
        },
        en: {
          subject: `Your agenda for ${shortDate(d.date, lang)}`,
          intro: 'here is what is waiting for you today.',
          tasks: 'New tasks',
          due: 'Promises due today',
          broken: 'Promises broken yesterday',
          disputes: 'Disputes answered',
          dueBy: 'by',
          dispute: 'dispute',
        },
        fr: {
          subject: `Votre agenda du ${shortDate(d.date, lang)}`,
          intro: "voici ce qui vous attend aujourd'hui.",
          tasks: 'Nouvelles tâches',
          due: "Promesses à échéance aujourd'hui",
          broken: 'Promesses non tenues hier',
          disputes: 'Contestations tranchées',
          dueBy: 'avant le',
          dispute: 'contestation',
        },
      }[lang];
      const blocks: Array<string | string[]> = [t.intro];
      const section = (title: string, lines: string[]): void => {
        if (lines.length) blocks.push(`${title} (${lines.length})`, lines);
      };
      section(
        t.tasks,
        d.newTasks.map(
          (x) =>
            `${TASK[lang][x.kind] ?? x.kind} – ${[x.customerName, x.invoiceNumber].filter(Boolean).join(', ')} – ${t.dueBy} ${when(x.dueAt, lang, tz)}`,
        ),
      );
      section(
        t.due,
        d.promisesDueToday.map(
          (x) => `${x.customerName}, ${L[lang].invoice} ${x.invoiceNumber} – ${m(x.amountMinor, x.currency)}`,
        ),
      );
      section(
        t.broken,
        d.promisesBrokenYesterday.map(
          (x) =>
            `${x.customerName}, ${L[lang].invoice} ${x.invoiceNumber} – ${m(x.amountMinor, x.currency)} (${shortDate(x.promisedDate, lang)})`,
        ),
      );
      section(
        t.disputes,
        d.disputesAnswered.map(
          (x) =>
            `${x.customerName}, ${L[lang].invoice} ${x.invoiceNumber} – ${t.dispute} ${DISPUTE[lang][x.status] ?? x.status}`,
        ),
      );
      return { subject: t.subject, blocks };
    }
  }
}

/** Subject, plain text and HTML of one notification. */
export function renderNotification(
  kind: NotificationKind,
  params: P,
  ctx: { lang: Language; timeZone: string; recipientName: string },
): RenderedNotification {
  const { subject, blocks } = body(kind, params, ctx.lang, ctx.timeZone);
  // After the salutation's comma Italian goes on in lower case; English and French start a new sentence.
  const [first, ...rest] = blocks;
  const lead = typeof first === 'string' && ctx.lang !== 'it' ? first.charAt(0).toUpperCase() + first.slice(1) : first;
  const all: Array<string | string[]> = [L[ctx.lang].hello(ctx.recipientName), lead, ...rest];
  const text = [
    ...all.map((b) => (Array.isArray(b) ? b.map((l) => `- ${l}`).join('\n') : b)),
    '--',
    L[ctx.lang].footer,
  ].join('\n\n');
  const html = `<!doctype html><html lang="${ctx.lang}"><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">
${all.map((b) => (Array.isArray(b) ? `<ul>${b.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : `<p>${escapeHtml(b)}</p>`)).join('\n')}
<p style="color:#777;font-size:11px">${escapeHtml(L[ctx.lang].footer)}</p>
</body></html>`;
  return { subject: `[Segugio] ${subject}`, blocks: all, text, html };
}

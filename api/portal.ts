/**
 * The debtor's self-service page (docs/portal.md), server-rendered HTML with no script at all:
 *
 * - `GET /p/<token>` (the link in every message) sets the page's cookie and redirects to `/portal/`, so the token
 *   leaves the address bar, the history and any Referer at once. A wrong, expired or revoked token gets the same
 *   neutral page with the same status (404) and body: nothing tells them apart.
 * - `/portal/…` reads the cookie (HttpOnly, SameSite=Lax, Path=/portal) and serves that customer's data only; every
 *   form carries a CSRF token derived from the link; uploads are limited to 5 MiB of PDF, PNG or JPEG.
 * - A strict CSP: nothing but this origin's stylesheet and data: images (the QR codes); no script, no frame.
 * - Requests are limited per client address, and unknown tokens much sooner.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { Logger } from '../infra/logger';
import { DISPUTE_REASONS, LANGUAGES, type Language } from '../workflows/contract';
import { HttpError } from '../contexts/errors';
import { loadAccount, type PortalAccount } from '../contexts/portal/account';
import {
  claimPaid,
  openDispute,
  promiseToPay,
  recordOpened,
  recordPortalContact,
  requestContactChange,
  requestPlan,
  saveDocument,
  type PortalSession,
} from '../contexts/portal/actions';
import { epcPayload, epcQrDataUrl, remittanceFor } from '../contexts/portal/epc';
import { csrfTokenOf, csrfValid, resolveToken } from '../contexts/portal/links';
import {
  formatDate,
  formatMoney,
  formatPercent,
  say,
  templateLabel,
  type PortalText,
} from '../contexts/portal/messages';
import { readPortalForm, UploadRefused, type PortalUpload } from '../contexts/portal/uploads';
import { buildStatement, statementOptionsFromConfig } from '../contexts/statements/statement';
import { renderStatementPdf, statementFilename } from '../contexts/statements/pdf';
import { loggedPath } from './access-log';
import { failureCounter } from './failure-counter';

export interface PortalDeps {
  db: Db;
  temporal: Client;
  config: Config;
  log: Logger;
}

export const PORTAL_COOKIE = 'sg_portal';
const LANG_COOKIE = 'sg_portal_lang';

const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CSS = path.resolve(__dirname, '..', 'web', 'portal.css');

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

const isLang = (v: unknown): v is Language => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The language of a page without a customer (the neutral page): the browser's, never anything about the token. */
function browserLang(req: Request): Language {
  const chosen = cookies(req)[LANG_COOKIE];
  if (isLang(chosen)) return chosen;
  const accepted = req.acceptsLanguages(...LANGUAGES);
  return isLang(accepted) ? accepted : 'it';
}

function layout(lang: Language, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/portal/portal.css">
</head>
<body>
${body}
</body>
</html>`;
}

function neutralPage(lang: Language): string {
  return layout(
    lang,
    say(lang, 'neutralTitle'),
    `<main class="wrap neutral"><h1>${esc(say(lang, 'neutralTitle'))}</h1><p>${esc(say(lang, 'neutralText'))}</p></main>`,
  );
}

interface Flash {
  ok?: string;
  error?: string;
  /** The invoice whose form the error belongs to (the form is opened and the message shown beside it). */
  invoiceId?: string;
  form?: string;
}

/** The payment block: beneficiary, IBAN, BIC, reference with the invoice numbers, amount and the EPC QR code. */
async function paymentBlock(lang: Language, config: Config, acc: PortalAccount): Promise<string> {
  const open = acc.invoices.filter((i) => i.balanceMinor > 0);
  const currencies = [...new Set(open.map((i) => i.currency))];
  const total = open.reduce((s, i) => s + i.balanceMinor, 0);
  const reference = remittanceFor(
    lang === 'it' ? 'Fatt.' : lang === 'fr' ? 'Fact.' : 'Inv.',
    open.map((i) => i.number),
  );
  const rows: Array<[PortalText, string]> = [
    ['beneficiary', config.LETTERHEAD_NAME],
    ['iban', config.LETTERHEAD_IBAN],
    ...(config.LETTERHEAD_BIC ? [['bic', config.LETTERHEAD_BIC] as [PortalText, string]] : []),
    ['payReference', reference],
    ...(currencies.length === 1
      ? [['payAmount', formatMoney(total, currencies[0], lang)] as [PortalText, string]]
      : []),
  ];
  let qr = '';
  if (currencies.length === 1 && currencies[0] === 'EUR' && total > 0) {
    try {
      const payload = epcPayload({
        name: config.LETTERHEAD_NAME.slice(0, 70),
        iban: config.LETTERHEAD_IBAN,
        bic: config.LETTERHEAD_BIC,
        amountMinor: total,
        remittance: reference,
      });
      const alt = say(lang, 'qrAlt', {
        amount: formatMoney(total, 'EUR', lang),
        name: config.LETTERHEAD_NAME,
        iban: config.LETTERHEAD_IBAN,
        reference,
      });
      qr = `<figure class="qr"><img id="epc-qr" src="${await epcQrDataUrl(payload)}" alt="${esc(alt)}" width="220" height="220"></figure>`;
    } catch {
      qr = '';
    }
  } else if (total > 0) {
    qr = `<p class="muted">${esc(say(lang, 'qrNone'))}</p>`;
  }
  if (total <= 0) return '';
  return `<section class="card" aria-labelledby="pay-h"><h2 id="pay-h">${esc(say(lang, 'payTitle'))}</h2>
<p>${esc(say(lang, 'payText'))}</p>
<div class="pay">${qr}<dl class="facts">${rows
    .map(
      ([k, v]) =>
        `<div><dt>${esc(say(lang, k))}</dt><dd class="${k === 'iban' ? 'mono long' : k === 'payAmount' ? '' : 'long'}">${esc(v)}</dd></div>`,
    )
    .join('')}</dl></div></section>`;
}

function field(label: string, control: string, id: string, hint?: string): string {
  return `<div class="field"><label for="${id}">${esc(label)}</label>${hint ? `<p class="hint" id="${id}-hint">${esc(hint)}</p>` : ''}${control}</div>`;
}

function invoiceCard(
  lang: Language,
  inv: PortalAccount['invoices'][number],
  acc: PortalAccount,
  csrf: string,
  formId: string,
  flash: Flash,
): string {
  const m = (minor: number): string => formatMoney(minor, inv.currency, lang);
  const facts: Array<[string, string]> = [
    [say(lang, 'issued'), formatDate(inv.issueDate, lang)],
    [say(lang, 'due'), formatDate(inv.dueDate, lang)],
    [say(lang, 'daysOverdue'), inv.daysOverdue > 0 ? String(inv.daysOverdue) : say(lang, 'notDue')],
    [say(lang, 'amount'), m(inv.amountMinor)],
    [say(lang, 'balance'), m(inv.balanceMinor)],
  ];
  if (inv.interest) {
    facts.push([say(lang, 'interest'), m(inv.interest.interestMinor)]);
    if (inv.interest.ratesBp.length)
      facts.push([say(lang, 'rate'), inv.interest.ratesBp.map((r) => formatPercent(r, lang)).join(' / ')]);
    const comp =
      inv.interest.compensationMinor > 0
        ? m(inv.interest.compensationMinor)
        : inv.interest.compensationEurMinor > 0
          ? formatMoney(inv.interest.compensationEurMinor, 'EUR', lang)
          : null;
    if (comp) facts.push([say(lang, 'compensation'), comp]);
  }
  const status: string[] = [];
  if (inv.promise) status.push(say(lang, 'promise', { date: formatDate(inv.promise.promisedDate, lang) }));
  if (inv.dispute) status.push(say(lang, 'dispute'));
  if (inv.planRequested) status.push(say(lang, 'planRequested'));
  if (inv.paidClaimed) status.push(say(lang, 'paidClaimed'));
  const plan = inv.plan
    ? `<h4>${esc(say(lang, 'plan'))}</h4><ol class="plan">${inv.plan.instalments
        .map((p) => `<li>${esc(formatDate(p.dueDate, lang))} — ${esc(m(p.amountMinor))}</li>`)
        .join('')}</ol>`
    : '';
  const copies = inv.documents.length
    ? `<ul class="docs">${inv.documents
        .map(
          (d) =>
            `<li><a href="/portal/documents/${esc(d.id)}">${esc(say(lang, 'copies'))}: ${esc(d.filename)}</a></li>`,
        )
        .join('')}</ul>`
    : '';
  const id = inv.id;
  const hidden = `<input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="_form" value="${esc(formId)}"><input type="hidden" name="invoiceId" value="${esc(id)}">`;
  const err = (form: string): string =>
    flash.error && flash.invoiceId === id && flash.form === form
      ? `<p class="alert" role="alert" id="err-${form}-${esc(id)}">${esc(flash.error)}</p>`
      : '';
  const open = (form: string): string => (flash.invoiceId === id && flash.form === form ? ' open' : '');
  const horizonDays = /^P(\d+)D$/.exec(acc.promiseMaxHorizon)?.[1];
  const maxDate = horizonDays ? addDaysIso(acc.today, Number(horizonDays)) : undefined;
  const actions: string[] = [];
  if (!inv.dispute && !inv.plan) {
    actions.push(`<details class="action" data-action="promise"${open('promise')}><summary>${esc(say(lang, 'actPromise'))}</summary>
<form method="post" action="/portal/promise">${hidden}${err('promise')}
${field(say(lang, 'promiseDate'), `<input type="date" id="pd-${esc(id)}" name="promisedDate" required min="${acc.today}"${maxDate ? ` aria-describedby="pd-${esc(id)}-hint"` : ''}>`, `pd-${esc(id)}`, maxDate ? say(lang, 'promiseHint', { date: formatDate(maxDate, lang) }) : undefined)}
<button type="submit">${esc(say(lang, 'send'))}</button></form></details>`);
  }
  if (!inv.paidClaimed) {
    actions.push(`<details class="action" data-action="paid"${open('paid')}><summary>${esc(say(lang, 'actPaid'))}</summary>
<form method="post" action="/portal/paid" enctype="multipart/form-data">${hidden}${err('paid')}
${field(say(lang, 'paidOn'), `<input type="date" id="po-${esc(id)}" name="paidOn" max="${acc.today}">`, `po-${esc(id)}`)}
${field(say(lang, 'remittance'), `<input type="file" id="pf-${esc(id)}" name="file" accept="application/pdf,image/png,image/jpeg">`, `pf-${esc(id)}`)}
<button type="submit">${esc(say(lang, 'send'))}</button></form></details>`);
  }
  if (!inv.dispute) {
    actions.push(`<details class="action" data-action="dispute"${open('dispute')}><summary>${esc(say(lang, 'actDispute'))}</summary>
<form method="post" action="/portal/dispute" enctype="multipart/form-data">${hidden}${err('dispute')}
${field(say(lang, 'reason'), `<select id="dr-${esc(id)}" name="reasonCode" required>${DISPUTE_REASONS.map((r) => `<option value="${r}">${esc(say(lang, `reason_${r}` as PortalText))}</option>`).join('')}</select>`, `dr-${esc(id)}`)}
${field(say(lang, 'note'), `<textarea id="dn-${esc(id)}" name="note" rows="3" maxlength="2000" required></textarea>`, `dn-${esc(id)}`)}
${field(say(lang, 'attachment'), `<input type="file" id="df-${esc(id)}" name="file" accept="application/pdf,image/png,image/jpeg">`, `df-${esc(id)}`)}
<button type="submit">${esc(say(lang, 'send'))}</button></form></details>`);
  }
  if (!inv.plan && !inv.planRequested && !inv.dispute && acc.planMaxInstalments >= 2) {
    actions.push(`<details class="action" data-action="plan"${open('plan')}><summary>${esc(say(lang, 'actPlan'))}</summary>
<form method="post" action="/portal/plan">${hidden}${err('plan')}
<p class="hint">${esc(say(lang, 'planHint'))}</p>
${field(say(lang, 'instalments', { max: acc.planMaxInstalments }), `<input type="number" id="pn-${esc(id)}" name="instalments" min="2" max="${acc.planMaxInstalments}" value="${Math.min(3, acc.planMaxInstalments)}" required>`, `pn-${esc(id)}`)}
${field(say(lang, 'firstDate'), `<input type="date" id="pfd-${esc(id)}" name="firstDate" min="${acc.today}" required>`, `pfd-${esc(id)}`)}
<button type="submit">${esc(say(lang, 'send'))}</button></form></details>`);
  }
  return `<article class="card invoice" id="inv-${esc(id)}" data-invoice="${esc(inv.number)}" aria-labelledby="h-${esc(id)}">
<h3 id="h-${esc(id)}">${esc(say(lang, 'invoice', { number: inv.number }))}</h3>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${status.map((s) => `<p class="status" role="status">${esc(s)}</p>`).join('')}
${plan}${copies}
${actions.length ? `<h4>${esc(say(lang, 'actions'))}</h4>${actions.join('\n')}` : ''}
</article>`;
}

function addDaysIso(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function accountPage(
  lang: Language,
  deps: PortalDeps,
  acc: PortalAccount,
  linkId: string,
  flash: Flash,
  opts: { statement: boolean },
): Promise<string> {
  const csrf = csrfTokenOf(deps.config, linkId);
  const formId = crypto.randomUUID();
  const open = acc.invoices;
  const byCurrency = new Map<string, { balance: number; interest: number }>();
  for (const i of open) {
    const t = byCurrency.get(i.currency) ?? { balance: 0, interest: 0 };
    t.balance += i.balanceMinor;
    t.interest += (i.interest?.interestMinor ?? 0) + (i.interest?.compensationMinor ?? 0);
    byCurrency.set(i.currency, t);
  }
  const summary = [...byCurrency.entries()]
    .map(
      ([cur, t]) =>
        `<div><dt>${esc(say(lang, 'totalOpen'))}</dt><dd class="big">${esc(formatMoney(t.balance, cur, lang))}</dd></div>` +
        (t.interest > 0
          ? `<div><dt>${esc(say(lang, 'interestToday'))}</dt><dd>${esc(formatMoney(t.interest, cur, lang))}</dd></div>`
          : ''),
    )
    .join('');
  const provisional = acc.provisional
    .map(
      (p) =>
        `<p class="note">${esc(say(lang, 'provisional', { from: formatDate(p.periodStart, lang), used: formatDate(p.usedFrom, lang) }))}</p>`,
    )
    .join('');
  const langs = LANGUAGES.map((l) =>
    l === lang
      ? `<li><span aria-current="true">${l.toUpperCase()}</span></li>`
      : `<li><a href="/portal/?lang=${l}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a></li>`,
  ).join('');
  const letters = acc.letters.length
    ? `<ul class="letters">${acc.letters
        .map(
          (l) =>
            `<li><a href="/portal/letters/${esc(l.id)}" data-letter="${esc(l.id)}">${esc(
              say(lang, 'letterOf', {
                template: templateLabel(lang, l.template),
                date: formatDate(l.createdAt.slice(0, 10), lang),
              }),
            )}${l.invoiceNumbers.length ? ` (${esc(l.invoiceNumbers.join(', '))})` : ''} — ${esc(say(lang, 'download'))}</a></li>`,
        )
        .join('')}</ul>`
    : `<p class="muted">${esc(say(lang, 'noLetters'))}</p>`;
  const hidden = `<input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="_form" value="${esc(formId)}">`;
  const contactErr =
    flash.error && flash.form === 'contact' ? `<p class="alert" role="alert">${esc(flash.error)}</p>` : '';
  const contact = acc.contactPending
    ? `<p class="status" role="status">${esc(say(lang, 'contactPending'))}</p>`
    : `<details class="action" data-action="contact"${flash.form === 'contact' ? ' open' : ''}><summary>${esc(say(lang, 'contactText'))}</summary>
<form method="post" action="/portal/contact">${hidden}${contactErr}
${field(say(lang, 'email'), `<input type="email" id="c-email" name="email" maxlength="200" autocomplete="email" value="${esc(acc.customer.email ?? '')}">`, 'c-email')}
${field(say(lang, 'phone'), `<input type="tel" id="c-phone" name="phone" maxlength="40" autocomplete="tel" value="${esc(acc.customer.phone ?? '')}">`, 'c-phone')}
${field(say(lang, 'addressLine'), `<input type="text" id="c-addr" name="addressLine" maxlength="200" autocomplete="street-address">`, 'c-addr')}
${field(say(lang, 'postalCode'), `<input type="text" id="c-pc" name="postalCode" maxlength="12" autocomplete="postal-code">`, 'c-pc')}
${field(say(lang, 'city'), `<input type="text" id="c-city" name="city" maxlength="100" autocomplete="address-level2">`, 'c-city')}
<button type="submit">${esc(say(lang, 'send'))}</button></form></details>`;
  const body = `<header class="top"><div class="wrap">
<p class="company">${esc(deps.config.LETTERHEAD_NAME)}</p>
<nav aria-label="${esc(say(lang, 'language'))}"><ul class="langs">${langs}</ul></nav>
</div></header>
<main class="wrap" id="main">
<h1>${esc(say(lang, 'title'))}</h1>
<p class="muted">${esc(say(lang, 'greeting', { name: acc.customer.name }))}</p>
${flash.ok ? `<p class="ok" role="status" id="flash">${esc(flash.ok)}</p>` : ''}
${flash.error && !flash.invoiceId && flash.form !== 'contact' ? `<p class="alert" role="alert" id="flash">${esc(flash.error)}</p>` : ''}
<section class="card summary" aria-labelledby="sum-h"><h2 id="sum-h">${esc(say(lang, 'summary'))}</h2><dl class="facts">${summary}</dl>${provisional}</section>
${await paymentBlock(lang, deps.config, acc)}
<section aria-labelledby="inv-h"><h2 id="inv-h">${esc(say(lang, 'openInvoices'))}</h2>
${open.length ? open.map((i) => invoiceCard(lang, i, acc, csrf, formId, flash)).join('\n') : `<p>${esc(say(lang, 'noInvoices'))}</p>`}
</section>
<section class="card" aria-labelledby="let-h"><h2 id="let-h">${esc(say(lang, 'letters'))}</h2>${letters}
${opts.statement ? `<p><a class="button" href="/portal/statement">${esc(say(lang, 'statementDownload'))}</a></p>` : ''}</section>
<section class="card" aria-labelledby="con-h"><h2 id="con-h">${esc(say(lang, 'contactTitle'))}</h2>${contact}</section>
</main>
<footer class="wrap foot"><p>${esc(say(lang, 'footer', { email: deps.config.LETTERHEAD_EMAIL }))}</p></footer>`;
  return layout(lang, `${say(lang, 'title')} — ${deps.config.LETTERHEAD_NAME}`, body);
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const formBase = { _csrf: z.string().max(200), _form: z.string().uuid(), invoiceId: z.string().uuid() };
const promiseForm = z.object({ ...formBase, promisedDate: isoDate }).strict();
const disputeForm = z
  .object({ ...formBase, reasonCode: z.enum(DISPUTE_REASONS), note: z.string().trim().min(1).max(2000) })
  .strict();
const paidForm = z.object({ ...formBase, paidOn: z.union([isoDate, z.literal('')]).optional() }).strict();
const planForm = z
  .object({ ...formBase, instalments: z.coerce.number().int().min(2).max(120), firstDate: isoDate })
  .strict();
const contactForm = z
  .object({
    _csrf: z.string().max(200),
    _form: z.string().uuid(),
    email: z.union([z.string().trim().email().max(200), z.literal('')]).optional(),
    phone: z
      .union([
        z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()./-]{5,40}$/),
        z.literal(''),
      ])
      .optional(),
    addressLine: z.string().trim().max(200).optional(),
    postalCode: z.string().trim().max(12).optional(),
    city: z.string().trim().max(100).optional(),
  })
  .strict();

const FIELD_LABEL: Record<string, PortalText> = {
  promisedDate: 'promiseDate',
  reasonCode: 'reason',
  note: 'note',
  paidOn: 'paidOn',
  instalments: 'instalments',
  firstDate: 'firstDate',
  email: 'email',
  phone: 'phone',
  addressLine: 'addressLine',
  postalCode: 'postalCode',
  city: 'city',
};

/** The debtor's page and its forms. Mount with `app.use(createPortalRouter(deps))` before the API's 404. */
export function createPortalRouter(deps: PortalDeps): Router {
  const { db, config, log } = deps;
  const r = Router();
  const limit = config.PORTAL_RATE_LIMIT_PER_MINUTE;
  const session = (req: Request): PortalSession | null => (req as Request & { portal?: PortalSession }).portal ?? null;

  const headers: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const tooMany = (req: Request, res: Response): void => {
    const lang = browserLang(req);
    res.status(429).setHeader('Retry-After', '60');
    res
      .type('html')
      .send(
        layout(
          lang,
          say(lang, 'neutralTitle'),
          `<main class="wrap neutral"><h1>${esc(say(lang, 'tooMany'))}</h1></main>`,
        ),
      );
  };
  const perAddress = rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) => tooMany(req, res),
  });
  // Unknown tokens: a tenth of the budget, so that guessing is slow while a debtor who mistypes once is not blocked.
  const fail = failureCounter();
  const failed = (req: Request): boolean => fail(req.ip ?? 'unknown').count > Math.max(3, Math.ceil(limit / 10));
  const neutral = (req: Request, res: Response): void => {
    if (failed(req)) return tooMany(req, res);
    res.setHeader('Set-Cookie', `${PORTAL_COOKIE}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0`);
    res
      .status(404)
      .type('html')
      .send(neutralPage(browserLang(req)));
  };

  r.get('/portal/portal.css', headers, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('text/css').sendFile(CSS);
  });

  r.use(['/p', '/portal'], headers, perAddress);

  /** The link of every message: sets the page's cookie, then leaves the token behind. */
  r.get('/p/:token', async (req, res) => {
    const token = String(req.params.token).toLowerCase();
    const link = await resolveToken(db, token, new Date());
    if (!link) return neutral(req, res);
    // Secure over TLS (a proxy in front says so with X-Forwarded-Proto), and always in production behind an https
    // base URL; a plain-http test stack still gets its cookie.
    const https = (config.PORTAL_BASE_URL ?? '').startsWith('https:');
    const secure = req.secure || (config.SEGUGIO_MODE === 'production' && https) ? '; Secure' : '';
    const maxAge = Math.max(60, Math.floor((link.expiresAt.getTime() - Date.now()) / 1000));
    res.setHeader(
      'Set-Cookie',
      `${PORTAL_COOKIE}=${token}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=${Math.min(maxAge, 86_400)}${secure}`,
    );
    res.redirect(303, '/portal/');
  });

  // Every /portal page needs a live link behind its cookie; anything else is the neutral page.
  r.use('/portal', async (req, res, next) => {
    try {
      const token = cookies(req)[PORTAL_COOKIE] ?? '';
      const link = token ? await resolveToken(db, token, new Date()) : null;
      if (!link) return neutral(req, res);
      (req as Request & { portal?: PortalSession }).portal = {
        linkId: link.id,
        customerId: link.customerId,
        requestId: req.requestId ?? null,
      };
      next();
    } catch (err) {
      next(err);
    }
  });

  const langOf = (req: Request, res: Response, acc: PortalAccount): Language => {
    const q = req.query.lang;
    if (isLang(q)) {
      res.append('Set-Cookie', `${LANG_COOKIE}=${q}; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=31536000`);
      return q;
    }
    const c = cookies(req)[LANG_COOKIE];
    return isLang(c) ? c : acc.customer.language;
  };

  const statementAvailable = (): boolean => true;
  const statementOptions = statementOptionsFromConfig(config);

  const load = async (s: PortalSession) => {
    const acc = await loadAccount(db, s.customerId, {
      timeZone: config.SEGUGIO_TZ,
      now: new Date(),
      consumerFlatRateBp: config.SEGUGIO_B2C_INTEREST_BP,
      extraHolidays: config.SEGUGIO_EXTRA_HOLIDAYS,
    });
    if (!acc) throw new HttpError(404, 'NOT_FOUND', 'customer');
    return acc;
  };

  const render = async (req: Request, res: Response, status: number, flash: Flash): Promise<void> => {
    const s = session(req)!;
    const acc = await load(s);
    const lang = langOf(req, res, acc);
    res
      .status(status)
      .type('html')
      .send(await accountPage(lang, deps, acc, s.linkId, flash, { statement: statementAvailable() }));
  };

  /** The page itself; opening it is a contact event (once a day per link). */
  r.get('/portal/', async (req, res) => {
    const s = session(req)!;
    const acc = await load(s);
    await recordOpened(
      db,
      s,
      acc.today,
      acc.invoices.map((i) => i.id),
    );
    const lang = langOf(req, res, acc);
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    const ok = ['promise', 'dispute', 'paid', 'plan', 'contact'].includes(done)
      ? say(lang, `ok_${done}` as PortalText)
      : undefined;
    res.type('html').send(await accountPage(lang, deps, acc, s.linkId, { ok }, { statement: statementAvailable() }));
  });
  r.get('/portal', (_req, res) => res.redirect(301, '/portal/'));

  const sendFile = async (res: Response, file: { path: string; filename: string; mimeType: string }) => {
    res.setHeader('Content-Type', file.mimeType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`);
    await new Promise<void>((resolve, reject) => {
      const st = fs.createReadStream(file.path);
      st.on('error', reject);
      res.on('close', () => resolve());
      st.pipe(res);
    });
  };

  /** A letter sent to this customer (PDF); the download is a contact event. */
  r.get('/portal/letters/:id', async (req, res) => {
    const s = session(req)!;
    const id = String(req.params.id);
    const letter = /^[0-9a-f-]{36}$/i.test(id) ? await db.letter.findUnique({ where: { id } }) : null;
    if (!letter || letter.customerId !== s.customerId) return neutral(req, res);
    await recordPortalContact(
      db,
      s,
      'portal-letter',
      letter.invoiceIds.length ? letter.invoiceIds : letter.invoiceId ? [letter.invoiceId] : [],
      `letter:${s.linkId}:${letter.id}:${new Date().toISOString().slice(0, 10)}`,
      letter.template,
    );
    await sendFile(res, { path: letter.path, filename: `${letter.template}.pdf`, mimeType: 'application/pdf' });
  });

  /** An invoice copy on file for this customer. */
  r.get('/portal/documents/:id', async (req, res) => {
    const s = session(req)!;
    const id = String(req.params.id);
    const doc = /^[0-9a-f-]{36}$/i.test(id) ? await db.document.findUnique({ where: { id } }) : null;
    if (!doc || doc.customerId !== s.customerId) return neutral(req, res);
    await recordPortalContact(
      db,
      s,
      'portal-document',
      doc.invoiceId ? [doc.invoiceId] : [],
      `document:${s.linkId}:${doc.id}:${new Date().toISOString().slice(0, 10)}`,
    );
    await sendFile(res, doc);
  });

  /** The statement of account (contexts/statements) as of today, in the page's language; a contact event. */
  r.get('/portal/statement', async (req, res) => {
    const s = session(req)!;
    const statement = await buildStatement(db, s.customerId, new Date(), statementOptions);
    const c = cookies(req)[LANG_COOKIE];
    const lang = isLang(c) ? c : statement.customer.language;
    const pdf = await renderStatementPdf(statement, lang, statementOptions.letterhead);
    await recordPortalContact(db, s, 'portal-statement', [], `statement:${s.linkId}:${statement.asOf}`, statement.asOf);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${statementFilename(statement, lang)}"`);
    res.send(pdf);
  });

  const urlencoded = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  /**
   * One form post: parse (multipart with an optional file, or urlencoded), check the CSRF token, validate, act, then
   * redirect to the page with its confirmation (303) or render the page with the refusal in the debtor's language.
   */
  const post = <S extends z.ZodType>(
    name: 'promise' | 'dispute' | 'paid' | 'plan' | 'contact',
    schema: S,
    multipart: boolean,
    act: (s: PortalSession, body: z.infer<S>, file: PortalUpload | null, acc: PortalAccount) => Promise<unknown>,
  ) => {
    const handlers: RequestHandler[] = multipart ? [] : [urlencoded];
    handlers.push(async (req, res, next) => {
      const s = session(req)!;
      let file: PortalUpload | null = null;
      let fields: Record<string, unknown> = (req.body ?? {}) as Record<string, unknown>;
      const acc = await load(s);
      const lang = langOf(req, res, acc);
      const invoiceOf = (f: Record<string, unknown>): string | undefined =>
        typeof f.invoiceId === 'string' ? f.invoiceId : undefined;
      const fail = async (status: number, error: string, invoiceId?: string): Promise<void> => {
        if (file && (await db.document.count({ where: { path: file.path } })) === 0)
          await fs.promises.rm(file.path, { force: true });
        await render(req, res, status, { error, invoiceId, form: name });
      };
      try {
        if (multipart) {
          try {
            const form = await readPortalForm(req, config.SEGUGIO_DATA_DIR);
            fields = form.fields;
            file = form.file;
          } catch (err) {
            const stored = (err as { storedPath?: string }).storedPath;
            if (stored && (await db.document.count({ where: { path: stored } })) === 0)
              await fs.promises.rm(stored, { force: true });
            if (err instanceof UploadRefused) return await fail(400, say(lang, 'err_file'), invoiceOf(err.fields));
            if (err instanceof HttpError && err.status === 413)
              return await fail(413, say(lang, 'err_file'), invoiceOf(fields));
            throw err;
          }
        }
        if (!csrfValid(config, s.linkId, fields._csrf))
          return await fail(403, say(lang, 'err_form'), invoiceOf(fields));
        const parsed = schema.safeParse(fields);
        if (!parsed.success) {
          const key = String(parsed.error.issues[0]?.path[0] ?? '');
          const label = FIELD_LABEL[key];
          return await fail(
            400,
            label
              ? say(lang, 'err_field', { field: say(lang, label, { max: acc.planMaxInstalments }) })
              : say(lang, 'err_form'),
            invoiceOf(fields),
          );
        }
        await act(s, parsed.data, file, acc);
        res.redirect(303, `/portal/?done=${name}`);
      } catch (err) {
        if (err instanceof HttpError && err.status < 500) {
          const code = err.reason?.code;
          const text =
            err.status === 422 && code && `rej_${code}` in { ...PORTAL_REJECTIONS }
              ? say(lang, `rej_${code}` as PortalText, formatParams(lang, err.reason?.params ?? {}))
              : err.status === 409
                ? say(lang, err.message.includes('closed') ? 'rej_INVOICE_CLOSED' : 'err_conflict')
                : err.status === 404
                  ? say(lang, 'err_generic')
                  : say(lang, 'err_generic');
          return await fail(err.status === 404 ? 404 : err.status, text, invoiceOf(fields));
        }
        if (err instanceof HttpError && err.status === 503) return await fail(503, say(lang, 'err_unavailable'));
        next(err);
      }
    });
    r.post(`/portal/${name}`, ...handlers);
  };

  post('promise', promiseForm, false, (s, b) =>
    promiseToPay(deps, s, { invoiceId: b.invoiceId, promisedDate: b.promisedDate, formId: b._form }),
  );
  post('dispute', disputeForm, true, async (s, b, file) => {
    const documentId = file ? await saveDocument(db, s, b.invoiceId, file) : undefined;
    // The attachment is a Document of the invoice, linked beside the dispute on the agenda and the timeline: the
    // debtor's note stays their own words (no English "[attachment: …]" appended inside an Italian screen).
    return openDispute(deps, s, {
      invoiceId: b.invoiceId,
      reasonCode: b.reasonCode,
      note: b.note,
      formId: b._form,
      documentId,
    });
  });
  post('paid', paidForm, true, async (s, b, file) => {
    const documentId = file ? await saveDocument(db, s, b.invoiceId, file) : undefined;
    return claimPaid(deps, s, { invoiceId: b.invoiceId, paidOn: b.paidOn || undefined, formId: b._form, documentId });
  });
  post('plan', planForm, false, (s, b, _file, acc) =>
    requestPlan(deps, s, {
      invoiceId: b.invoiceId,
      instalments: b.instalments,
      firstDate: b.firstDate,
      formId: b._form,
      maxInstalments: acc.planMaxInstalments,
    }),
  );
  post('contact', contactForm, false, (s, b, _file, acc) => {
    const change = Object.fromEntries(
      (['email', 'phone', 'addressLine', 'postalCode', 'city'] as const)
        .filter((k) => b[k] && b[k] !== (k === 'email' ? acc.customer.email : k === 'phone' ? acc.customer.phone : ''))
        .map((k) => [k, b[k]]),
    );
    if (Object.keys(change).length === 0) return Promise.resolve();
    return requestContactChange(deps, s, change, b._form);
  });

  // Errors of the portal never reach the API's JSON handler (nor its log line with the path): a plain page.
  r.use(['/p', '/portal'], ((err, req, res, _next) => {
    log.error({ err, method: req.method, path: loggedPath(req.originalUrl) }, 'portal error');
    const lang = browserLang(req);
    res
      .status(500)
      .type('html')
      .send(
        layout(
          lang,
          say(lang, 'err_generic'),
          `<main class="wrap neutral"><h1>${esc(say(lang, 'err_unavailable'))}</h1></main>`,
        ),
      );
  }) as express.ErrorRequestHandler);
  return r;
}

const PORTAL_REJECTIONS = {
  rej_PROMISE_BEYOND_HORIZON: 1,
  rej_DATE_IN_PAST: 1,
  rej_DATE_INVALID: 1,
  rej_DISPUTE_OPEN: 1,
  rej_PLAN_ACTIVE: 1,
  rej_DISPUTE_ALREADY_OPEN: 1,
  rej_INVOICE_CLOSED: 1,
  rej_TOO_MANY_INSTALMENTS: 1,
  rej_TEXT_REQUIRED: 1,
};

/** A rejection's parameters as the debtor reads them (dates in their language). */
function formatParams(lang: Language, params: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) out[k] = formatDate(v, lang);
    else if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}

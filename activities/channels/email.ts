/** Plain-text and HTML bodies of an e-mail, from the same paragraphs as the letter. */
import { colon, escapeHtml, money, shortDate } from './format';
import { LABELS, type MessageContext, type RenderedMessage } from './messages';

export function emailBodies(msg: RenderedMessage, ctx: MessageContext): { text: string; html: string } {
  const L = LABELS[ctx.lang];
  const C = colon(ctx.lang);
  const m = (minor: number): string => money(minor, ctx.currency, ctx.lang);
  const rows = ctx.invoices.map(
    (i) =>
      `${L.invoice} ${i.number} – ${L.dueDate} ${shortDate(i.dueDate, ctx.lang)} – ${L.balance} ${m(i.balanceMinor)}`,
  );
  const interest = ctx.interest;
  const totals = [`${ctx.template === 'courtesy' ? L.totalOpen : L.total}${C} ${m(ctx.balanceMinor)}`];
  if (interest) {
    // A waived interest (ctx.waiver) is not listed at 0: the e-mail does not mention what it does not claim.
    if (!ctx.waiver?.interest) totals.push(`${L.interest}${C} ${m(interest.interestMinor)}`);
    // A non-EUR invoice's EUR 40 without a known rate is stated in euro, beside the total: never as 0 of the currency.
    const eurOnly =
      !interest.compensationMinor && interest.compensationEurMinor
        ? money(interest.compensationEurMinor, 'EUR', ctx.lang)
        : null;
    if (interest.compensationMinor) totals.push(`${L.compensation}${C} ${m(interest.compensationMinor)}`);
    else if (eurOnly) totals.push(`${L.compensation}${C} ${eurOnly}`);
    totals.push(`${L.totalDue}${C} ${m(ctx.balanceMinor + interest.totalMinor)}${eurOnly ? ` + ${eurOnly}` : ''}`);
  }
  const plan =
    ctx.plan?.instalments.map(
      (p, n) => `${L.instalment} ${n + 1}${C} ${shortDate(p.dueDate, ctx.lang)} – ${m(p.amountMinor)}`,
    ) ?? [];
  const pay = [
    `${L.paymentTitle}${C}`,
    `${L.beneficiary}${C} ${ctx.company.name}`,
    `${L.iban}${C} ${ctx.company.iban}`,
    ...(ctx.company.bic ? [`${L.bic}${C} ${ctx.company.bic}`] : []),
    `${L.paymentReason}${C} ${ctx.reference}`,
  ];
  const portal = ctx.portal ? [`${L.portalTitle}${C}`, L.portalText, ctx.portal.url] : [];
  const text = [
    ...(msg.delivery ? [msg.delivery, ''] : []),
    msg.salutation,
    '',
    ...msg.intro,
    '',
    ...rows,
    ...totals,
    ...(plan.length ? ['', `${L.instalments}${C}`, ...plan] : []),
    '',
    ...msg.outro,
    '',
    ...pay,
    '',
    ...(portal.length ? [...portal, ''] : []),
    msg.closing,
    msg.signature,
    '',
    `${L.reference} ${ctx.reference}`,
  ].join('\n');

  const p = (s: string): string => `<p>${escapeHtml(s)}</p>`;
  const td = (s: string, right = false): string =>
    `<td style="padding:4px 8px;border-bottom:1px solid #ddd${right ? ';text-align:right' : ''}">${escapeHtml(s)}</td>`;
  const html = `<!doctype html><html lang="${ctx.lang}"><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">
${msg.delivery ? `<p><strong>${escapeHtml(msg.delivery)}</strong></p>` : ''}
${p(msg.salutation)}
${msg.intro.map(p).join('\n')}
<table style="border-collapse:collapse;margin:8px 0">
<tr>${[L.invoice, L.dueDate, L.balance].map((h) => `<th style="padding:4px 8px;background:#1f3a5f;color:#fff;text-align:left">${escapeHtml(h)}</th>`).join('')}</tr>
${ctx.invoices.map((i) => `<tr>${td(i.number)}${td(shortDate(i.dueDate, ctx.lang))}${td(m(i.balanceMinor), true)}</tr>`).join('\n')}
</table>
${totals.map((t) => `<p style="margin:2px 0"><strong>${escapeHtml(t)}</strong></p>`).join('\n')}
${plan.length ? `<p><strong>${escapeHtml(L.instalments)}</strong><br>${plan.map(escapeHtml).join('<br>')}</p>` : ''}
${msg.outro.map(p).join('\n')}
<div style="background:#eef2f7;padding:8px 12px;margin:12px 0">${pay.map(escapeHtml).join('<br>')}</div>
${ctx.portal ? `<p><strong>${escapeHtml(L.portalTitle)}</strong><br>${escapeHtml(L.portalText)}<br><a href="${escapeHtml(ctx.portal.url)}">${escapeHtml(ctx.portal.url)}</a></p>` : ''}
${p(msg.closing)}
<p><strong>${msg.signature.split('\n').map(escapeHtml).join('<br>')}</strong></p>
<p style="color:#777;font-size:11px">${escapeHtml(`${L.emailFooter} ${ctx.company.name} · ${L.reference} ${ctx.reference}`)}</p>
</body></html>`;
  return { text, html };
}

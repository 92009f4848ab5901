// Small helpers for building the pages' DOM and formatting numbers; text always goes in as text, never HTML.

/** An element with attributes (on* never) and children (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  return node;
}

export const percent = (rate) => (rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`);
export const number = (value) => (value === null || value === undefined ? '–' : new Intl.NumberFormat('en').format(value));
export const money = (amount, currency) => new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
export const when = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '–');

/** A duration in ms as days or hours. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} d` : hours >= 1 ? `${hours.toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}

/** RFC 3339 in UTC with seconds, as the API's query parameters take it. */
export const iso = (date) => date.toISOString();

export const STAGES = ['lead', 'mql', 'sql', 'opportunity', 'customer'];
export const CHANNELS = ['web_form', 'trade_show', 'social', 'seo', 'paid_ads', 'referral', 'email', 'partner', 'import', 'other'];

/** A select of options ('' = all). */
export function select(id, label, values, selected = '', all = 'all') {
  return [
    el('label', { for: id }, label),
    el('select', { id, name: id }, el('option', { value: '' }, all), ...values.map((v) => el('option', { value: v, selected: v === selected }, v))),
  ];
}

/**
 * A filter form: on submit (Apply, or Enter in a field), copies each field's value into `state`
 * (`fields` maps a state key to the field's selector) and reloads; a failure goes to `explain`.
 */
export function onApply(form, fields, state, reload, explain) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const [key, selector] of Object.entries(fields)) state[key] = form.querySelector(selector).value.trim();
    reload().catch(explain);
  });
}

/**
 * Text contrast as WCAG 2.x defines it, for checking the inspector in each VS Code theme. The page
 * side (`collectTextSamples`, run in the browser) reports every visible piece of text with its
 * computed colour, the background colours beneath it and its opacity; this side composites those
 * layers and computes the contrast ratio, so the arithmetic is unit-tested on plain Node.
 */

export interface TextSample {
  /** A short description for messages: tag, id or classes, and the start of the text. */
  where: string;
  color: string;
  /** Computed background colours from the outermost layer to the element itself. */
  backgrounds: string[];
  /** The product of the element's and its ancestors' opacity. */
  opacity: number;
  fontSizePx: number;
  fontWeight: number;
}

export interface ContrastFinding {
  where: string;
  ratio: number;
  required: number;
  foreground: string;
  background: string;
}

type Rgba = [number, number, number, number];

/** Parses the colours getComputedStyle returns: `rgb(r, g, b)`, `rgba(r, g, b, a)` and the space-separated forms. */
export function parseColor(value: string): Rgba {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value.trim());
  if (!m) throw new Error(`unsupported colour "${value}"`);
  const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
  return [Number(m[1]), Number(m[2]), Number(m[3]), alpha];
}

/** `top` drawn over the opaque `bottom` (alpha compositing). */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two opaque colours, from 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** WCAG 2.x AA: 4.5:1 for body text, 3:1 for large text (24 px, or 18.66 px bold). */
export function requiredRatio(sample: Pick<TextSample, 'fontSizePx' | 'fontWeight'>): number {
  const large = sample.fontSizePx >= 24 || (sample.fontSizePx >= 18.66 && sample.fontWeight >= 700);
  return large ? 3 : 4.5;
}

const hex = ([r, g, b]: Rgba) => `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** The samples whose contrast is below what WCAG AA asks for, worst first. */
export function contrastFindings(samples: TextSample[], opaqueBase: string): ContrastFinding[] {
  const base = parseColor(opaqueBase);
  if (base[3] !== 1) throw new Error(`the base colour ${opaqueBase} is not opaque`);
  const findings: ContrastFinding[] = [];
  for (const s of samples) {
    const background = s.backgrounds.map(parseColor).reduce((under, layer) => over(layer, under), base);
    const [r, g, b, a] = parseColor(s.color);
    const foreground = over([r, g, b, a * s.opacity], background);
    const ratio = contrastRatio(foreground, background);
    const required = requiredRatio(s);
    if (ratio < required) findings.push({ where: s.where, ratio, required, foreground: hex(foreground), background: hex(background) });
  }
  return findings.sort((x, y) => x.ratio - y.ratio);
}

/** A change to the page made just before collecting, in the same task (no re-render in between). */
export interface DomOverride {
  selector: string;
  /** Set this attribute to `value`, or remove it when `value` is null. */
  attribute?: string;
  value?: string | null;
  text?: string;
}

/**
 * Runs in the page (Playwright `evaluate`): every visible element that has text of its own, with
 * what contrastFindings needs. Disabled controls are left out, as WCAG exempts them. `overrides`
 * put elements into other states first (e.g. a warning status). Self-contained: it is serialised
 * into the page.
 */
export function collectTextSamples(root: Element, overrides: DomOverride[] = []): TextSample[] {
  for (const o of overrides) {
    for (const el of Array.from(root.querySelectorAll(o.selector))) {
      if (o.attribute && o.value === null) el.removeAttribute(o.attribute);
      else if (o.attribute) el.setAttribute(o.attribute, o.value ?? '');
      if (o.text !== undefined) el.textContent = o.text;
    }
  }
  const samples: TextSample[] = [];
  const all = [root, ...Array.from(root.querySelectorAll('*'))];
  for (const el of all) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
    if (!own || el.closest('[hidden], script, style, template, button:disabled, [aria-disabled="true"]')) continue;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (style.visibility !== 'visible' || rect.width === 0 || rect.height === 0) continue;
    const chain: Element[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) chain.unshift(e);
    const backgrounds = chain.map((e) => getComputedStyle(e).backgroundColor).filter((c) => !/^rgba\(.*,\s*0\)$|^transparent$/.test(c));
    const opacity = chain.reduce((o, e) => o * Number(getComputedStyle(e).opacity || 1), 1);
    if (opacity === 0) continue;
    const id = el.id ? `#${el.id}` : '';
    const classes = el.classList.length ? `.${Array.from(el.classList).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
    samples.push({
      where: `${el.tagName.toLowerCase()}${id}${classes} "${text}"`,
      color: style.color,
      backgrounds,
      opacity,
      fontSizePx: parseFloat(style.fontSize),
      fontWeight: Number(style.fontWeight) || 400,
    });
  }
  return samples;
}

/**
 * The Token Inspector page (browser side). Bundled by esbuild into `dist/webview/inspector.js`.
 *
 * Rules kept here: the DOM is built with createElement/textContent only (token content is never
 * parsed as HTML); one countdown timer, running only while the page is visible; the last model and
 * the selected tab survive the page being hidden through getState/setState; nothing is fetched.
 */
import { markerText, visibleSegments } from './invisible';
import { countdown, explainClaim, explainHeader, formatTime, LIST_CLAIMS, listItems, nextTickIn, scalarText, TIME_CLAIMS } from './claims';
import {
  type FromWebview,
  type InspectorModel,
  type IntrospectableKind,
  isToWebview,
  type SignatureView,
  type TokenKind,
  type TokenView,
  type ToWebview,
} from './protocol';

interface VsCodeApi<S> {
  postMessage(message: FromWebview): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

interface PageState {
  model?: InspectorModel;
  /** Extension-host clock minus page clock (ms), from the last `show`. */
  offset: number;
  selected?: TokenKind;
  introspection?: { result: Record<string, unknown>; token?: IntrospectableKind };
}

const vscode = acquireVsCodeApi<PageState>();
let state: PageState = sanitizeState(vscode.getState());
const busy = { refresh: false, introspect: false };
let errorMessage: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

const KIND_LABEL: Record<TokenKind, string> = {
  access_token: 'Access token',
  id_token: 'ID token',
  refresh_token: 'Refresh token',
  jwt: 'JWT',
};

function sanitizeState(s: PageState | undefined): PageState {
  if (!s || typeof s !== 'object') return { offset: 0 };
  const probe: unknown = { type: 'show', model: s.model, now: 0 };
  return {
    offset: typeof s.offset === 'number' ? s.offset : 0,
    model: s.model && isToWebview(probe) ? s.model : undefined,
    selected: s.selected,
    introspection: s.introspection && typeof s.introspection.result === 'object' ? s.introspection : undefined,
  };
}

function save(): void {
  vscode.setState(state);
}

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

const now = (): number => Date.now() + state.offset;

// ---- DOM helpers (text only) ------------------------------------------------------------------

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/**
 * A value as text a person can trust: isolated in its own `<bdi>` (it cannot reorder what is
 * around it) with every bidirectional, invisible or control character shown as a `[U+XXXX]` marker.
 */
function visible(text: string, keepNewlines = false): HTMLElement {
  const bdi = h('bdi');
  for (const seg of visibleSegments(text, keepNewlines)) {
    if ('text' in seg) bdi.append(document.createTextNode(seg.text));
    else bdi.append(h('span', { class: 'ctl', title: seg.label }, markerText(seg.code)));
  }
  return bdi;
}

function button(id: string, label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', id, 'data-testid': attrs['data-testid'] ?? id, ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

// ---- rendering --------------------------------------------------------------------------------

function selectedKind(model: InspectorModel): TokenKind | undefined {
  const kinds = model.tokens.map((t) => t.kind);
  return state.selected && kinds.includes(state.selected) ? state.selected : kinds[0];
}

function render(): void {
  const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
  const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  const model = state.model;
  const content: Child[] = [];
  if (!model) {
    content.push(h('p', { class: 'empty', id: 'empty' }, 'Waiting for a token…'));
  } else {
    const selected = selectedKind(model);
    content.push(renderHeader(model, selected));
    content.push(h('div', { id: 'error', role: 'alert', class: 'error', hidden: !errorMessage }, errorMessage ?? ''));
    content.push(renderTabs(model, selected));
    for (const t of model.tokens) content.push(renderPanel(model, t, t.kind === selected));
    content.push(renderIntrospection());
  }
  app.replaceChildren(...content.filter((c): c is Node | string => !!c));
  if (focusedId) document.getElementById(focusedId)?.focus();
  tick();
}

function renderHeader(model: InspectorModel, selected: TokenKind | undefined): HTMLElement {
  const view = model.tokens.find((t) => t.kind === selected);
  const isJwt = view?.format === 'jwt';
  const expires = model.expiresAt === undefined ? undefined : formatTime(model.expiresAt / 1000);
  const issued = model.issuedAt === undefined ? undefined : formatTime(model.issuedAt / 1000);
  const introspectKind = introspectTarget(selected);
  const gone = model.status === 'deleted';
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    model.canRefresh &&
      button('btn-refresh', busy.refresh ? 'Refreshing…' : 'Refresh', () => act('refresh'), {
        disabled: busy.refresh,
        'aria-busy': busy.refresh ? 'true' : undefined,
        title: 'Get new tokens for this token set',
      }),
    model.canIntrospect &&
      button('btn-introspect', busy.introspect ? 'Introspecting…' : 'Introspect', () => act('introspect', introspectKind), {
        disabled: busy.introspect,
        'aria-busy': busy.introspect ? 'true' : undefined,
        title: `Ask the server about the ${KIND_LABEL[introspectKind].toLowerCase()}`,
      }),
    // A deleted set's tokens are gone from storage: nothing left to copy.
    view && button('btn-copy-token', 'Copy token', () => post({ type: 'copy', what: 'token', kind: view.kind }), { disabled: gone }),
    view && button('btn-copy-header', 'Copy header', () => post({ type: 'copy', what: 'header', kind: view.kind }), { disabled: gone || !isJwt }),
    view && button('btn-copy-claims', 'Copy claims', () => post({ type: 'copy', what: 'payload', kind: view.kind }), { disabled: gone || !isJwt }),
  );
  return h(
    'header',
    { class: 'header' },
    h('div', { class: 'titles' }, h('h1', { id: 'title' }, model.title), model.subtitle ? h('p', { id: 'subtitle', class: 'muted' }, model.subtitle) : undefined),
    h(
      'div',
      { class: 'status-line' },
      h('span', { id: 'status', 'data-testid': 'status', class: 'status', role: 'status' }),
      h('span', { id: 'countdown', 'data-testid': 'countdown', class: 'countdown', role: 'timer', 'aria-atomic': 'true' }),
      expires && h('span', { id: 'expires-at', class: 'muted' }, `at ${expires.local} (${expires.iso})`),
      issued && h('span', { id: 'issued-at', class: 'muted' }, `issued ${issued.local}`),
      model.dpop && h('span', { id: 'dpop-badge', class: 'badge', 'data-testid': 'dpop-badge' }, 'DPoP-bound'),
    ),
    model.dpop && dpopNote(model.dpop),
    toolbar,
  );
}

/** What DPoP binding means for this set (RFC 9449): its cnf.jkt, and that each use needs a fresh proof. */
function dpopNote(dpop: NonNullable<InspectorModel['dpop']>): HTMLElement {
  const use = 'Every request with it needs a fresh DPoP proof signed by that key: Copy as Authorization Header and Copy as curl make one for the URL you give.';
  if (!dpop.jkt) {
    return h(
      'p',
      { id: 'dpop', class: 'dpop muted', 'data-key': 'unknown' },
      `The server issued a DPoP-bound token (token_type DPoP), bound to the key VS Code keeps for this token set. The token is opaque, so its cnf.jkt cannot be read here. ${use}`,
    );
  }
  const whose =
    dpop.ownKey === false
      ? 'It is not the thumbprint of the key stored with this token set, so proofs from VS Code will be refused for this token.'
      : dpop.ownKey
        ? 'It is the thumbprint of the key VS Code keeps for this token set (the private key never leaves SecretStorage).'
        : '';
  return h(
    'p',
    { id: 'dpop', class: 'dpop muted', 'data-key': dpop.ownKey === undefined ? 'unknown' : dpop.ownKey ? 'own' : 'other' },
    'The access token is bound to a key: its cnf.jkt ',
    h('code', { id: 'dpop-jkt' }, visible(dpop.jkt)),
    ` is the SHA-256 thumbprint (RFC 7638) of the public key it is bound to (RFC 9449). ${whose} ${use}`.replace(/\s+/g, ' '),
  );
}

function introspectTarget(selected: TokenKind | undefined): IntrospectableKind {
  return selected === 'refresh_token' ? 'refresh_token' : 'access_token';
}

function act(action: 'refresh' | 'introspect', token?: IntrospectableKind): void {
  if (busy[action]) return;
  post(action === 'refresh' ? { type: 'refresh' } : token === 'refresh_token' ? { type: 'introspect', token } : { type: 'introspect' });
}

function renderTabs(model: InspectorModel, selected: TokenKind | undefined): HTMLElement {
  const list = h('div', { role: 'tablist', 'aria-label': 'Tokens', class: 'tabs', id: 'tabs' });
  for (const t of model.tokens) {
    const isSel = t.kind === selected;
    const tab = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${t.kind}`,
        'data-testid': `tab-${t.kind}`,
        'data-kind': t.kind,
        'aria-selected': isSel ? 'true' : 'false',
        'aria-controls': `panel-${t.kind}`,
        tabindex: isSel ? '0' : '-1',
        class: 'tab',
      },
      KIND_LABEL[t.kind],
      h('span', { class: `dot sig-${t.signature.state}`, 'aria-hidden': 'true' }),
    );
    tab.addEventListener('click', () => select(t.kind, false));
    list.append(tab);
  }
  list.addEventListener('keydown', (e) => onTabKey(e, model));
  return list;
}

function onTabKey(e: KeyboardEvent, model: InspectorModel): void {
  const kinds = model.tokens.map((t) => t.kind);
  const current = kinds.indexOf(selectedKind(model) ?? kinds[0]);
  let next: number;
  switch (e.key) {
    case 'ArrowRight':
      next = (current + 1) % kinds.length;
      break;
    case 'ArrowLeft':
      next = (current - 1 + kinds.length) % kinds.length;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = kinds.length - 1;
      break;
    default:
      return;
  }
  e.preventDefault();
  select(kinds[next], true);
}

function select(kind: TokenKind, focus: boolean): void {
  if (!state.model) return;
  state.selected = kind;
  save();
  render();
  if (focus) document.getElementById(`tab-${kind}`)?.focus();
}

const SIGNATURE_LABEL: Record<SignatureView['state'], string> = {
  verified: 'Signature verified',
  invalid: 'Signature invalid',
  unknown_key: 'Unknown signing key',
  not_verifiable: 'Not verifiable',
  pending: 'Checking signature…',
};

function renderSignature(t: TokenView): HTMLElement {
  const s = t.signature;
  const details: string[] = [];
  if ((s.state === 'verified' || s.state === 'invalid' || s.state === 'unknown_key') && s.alg) details.push(s.alg);
  if ((s.state === 'verified' || s.state === 'invalid' || s.state === 'unknown_key') && s.kid) details.push(`kid ${s.kid}`);
  const reason = s.state === 'invalid' || s.state === 'unknown_key' || s.state === 'not_verifiable' ? s.reason : undefined;
  return h(
    'div',
    { class: 'signature', id: `signature-${t.kind}`, 'data-testid': `signature-${t.kind}`, 'data-state': s.state },
    h('span', { class: 'badge' }, SIGNATURE_LABEL[s.state]),
    details.length ? h('span', { class: 'muted' }, ` (${details.join(', ')})`) : undefined,
    reason ? h('span', { class: 'reason' }, ` ${reason}`) : undefined,
  );
}

function renderPanel(model: InspectorModel, t: TokenView, visible: boolean): HTMLElement {
  const panel = h('section', {
    role: 'tabpanel',
    id: `panel-${t.kind}`,
    'data-testid': `panel-${t.kind}`,
    'aria-labelledby': `tab-${t.kind}`,
    tabindex: '0',
    class: 'panel',
    hidden: !visible,
  });
  panel.append(renderSignature(t));
  if (t.concealed) {
    panel.append(
      h(
        'p',
        { class: 'muted', id: `concealed-${t.kind}` },
        `The token (${t.concealed.length} characters) is kept out of this page; Copy token puts it on the clipboard.`,
      ),
    );
  }
  if (t.format === 'opaque') {
    const introspectable = model.canIntrospect && (t.kind === 'access_token' || t.kind === 'refresh_token');
    panel.append(
      h(
        'div',
        { class: 'opaque', id: `opaque-${t.kind}`, 'data-testid': `opaque-${t.kind}` },
        h('p', {}, 'Opaque token: introspect to see its state.'),
        introspectable &&
          button(`btn-introspect-${t.kind}`, busy.introspect ? 'Introspecting…' : 'Introspect', () => act('introspect', t.kind as IntrospectableKind), {
            disabled: busy.introspect,
          }),
      ),
    );
  } else {
    panel.append(h('h2', {}, 'Header'), claimTable(`header-${t.kind}`, t.header ?? {}, 'header'));
    panel.append(h('h2', {}, 'Claims'), claimTable(`claims-${t.kind}`, t.payload ?? {}, 'payload'));
  }
  if (t.raw.length) panel.append(h('h2', {}, 'Raw'), renderRaw(t));
  return panel;
}

function renderRaw(t: TokenView): HTMLElement {
  const pre = h('pre', { class: 'raw', id: `raw-${t.kind}`, 'data-testid': `raw-${t.kind}` });
  if (t.format === 'jwt' && t.raw.length === 3) {
    const [header, payload, signature] = t.raw;
    append(pre, [
      h('span', { class: 'seg seg-header', title: 'header' }, header),
      h('span', { class: 'seg-dot' }, '.'),
      h('span', { class: 'seg seg-payload', title: 'payload' }, payload),
      h('span', { class: 'seg-dot' }, '.'),
      h('span', { class: 'seg seg-signature', title: 'signature' }, signature),
    ]);
  } else {
    pre.append(t.raw.join('.'));
  }
  return pre;
}

function claimTable(id: string, claims: Record<string, unknown>, where: 'header' | 'payload' | 'introspection'): HTMLTableElement {
  const body = h('tbody');
  for (const [name, value] of Object.entries(claims)) {
    const explanation = where === 'header' ? explainHeader(name) : explainClaim(name);
    body.append(
      h(
        'tr',
        { 'data-claim': name, class: explanation ? 'known' : 'unknown' },
        h('th', { scope: 'row' }, h('code', {}, visible(name))),
        h('td', { class: 'value' }, renderValue(name, value, !!explanation || where === 'header')),
        h('td', { class: 'explain' }, explanation ?? (where === 'header' ? '' : 'Not a registered claim.')),
      ),
    );
  }
  const label = where === 'header' ? 'Parameter' : where === 'introspection' ? 'Field' : 'Claim';
  return h(
    'table',
    { id, 'data-testid': id, class: 'claims' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, label), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Meaning'))),
    body,
  );
}

function renderValue(name: string, value: unknown, known: boolean): Node {
  if (TIME_CLAIMS.has(name)) {
    const t = formatTime(value);
    if (t) {
      return h(
        'span',
        { class: 'time' },
        h('span', { class: 'time-local', 'data-part': 'local' }, t.local),
        ' ',
        h('span', { class: 'time-iso muted', 'data-part': 'iso' }, t.iso),
        ' ',
        h('span', { class: 'time-raw muted', 'data-part': 'raw' }, `(${String(value)})`),
      );
    }
  }
  if (LIST_CLAIMS.has(name)) {
    const items = listItems(value);
    if (items && (typeof value !== 'string' || name !== 'aud')) {
      return h('ul', { class: 'list' }, ...items.map((i) => h('li', {}, h('code', {}, visible(i)))));
    }
  }
  const scalar = known ? scalarText(value) : undefined;
  if (scalar !== undefined) return h('span', { class: 'scalar' }, visible(scalar));
  return h('pre', { class: 'json' }, visible(JSON.stringify(value, null, 2) ?? String(value), true));
}

function renderIntrospection(): HTMLElement | undefined {
  const i = state.introspection;
  if (!i) return undefined;
  const active = i.result.active;
  return h(
    'section',
    { id: 'introspection', 'data-testid': 'introspection', class: 'introspection', 'data-active': String(active === true) },
    h('h2', {}, `Introspection${i.token ? ` (${KIND_LABEL[i.token].toLowerCase()})` : ''}`),
    h(
      'p',
      { class: active === true ? 'ok' : 'bad', id: 'introspection-active' },
      active === true ? 'The server says the token is active.' : 'The server says the token is not active.',
    ),
    claimTable('introspection-table', i.result, 'introspection'),
  );
}

// ---- countdown: one timer, only while visible -------------------------------------------------

function statusText(model: InspectorModel, phase: ReturnType<typeof countdown>['state']): string {
  const marked = model.status && model.status !== 'valid' && model.status !== 'expired';
  if (marked) return model.status as string;
  if (phase === 'expired') return 'expired';
  const jwt = model.tokens.length === 1 ? model.tokens[0] : undefined;
  const nbf = typeof jwt?.payload?.nbf === 'number' ? jwt.payload.nbf * 1000 : undefined;
  if (nbf !== undefined && nbf > now()) return 'not yet valid';
  if (model.status) return 'valid';
  return phase === 'none' ? 'no expiry' : 'valid';
}

function tick(): void {
  stopTimer();
  const model = state.model;
  const el = document.getElementById('countdown');
  const statusEl = document.getElementById('status');
  if (!model || !el || !statusEl) return;
  // A deleted set no longer counts down: what is shown is only what it held.
  const c = model.status === 'deleted' ? { text: 'deleted: no longer stored in VS Code', state: 'none' as const } : countdown(model.expiresAt, now());
  if (el.textContent !== c.text) el.textContent = c.text;
  el.setAttribute('data-state', c.state);
  const status = statusText(model, c.state);
  if (statusEl.textContent !== status) statusEl.textContent = status;
  statusEl.setAttribute('data-status', status.replace(/\s+/g, '-'));
  statusEl.setAttribute('data-state', c.state);
  startTimer();
}

function startTimer(): void {
  const expiresAt = state.model?.expiresAt;
  if (timer !== undefined || expiresAt === undefined || state.model?.status === 'deleted' || document.visibilityState === 'hidden') return;
  timer = setTimeout(
    () => {
      timer = undefined;
      tick();
    },
    nextTickIn(expiresAt, now()),
  );
}

function stopTimer(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') stopTimer();
  else tick();
});

// ---- messages ---------------------------------------------------------------------------------

function tokensKey(model: InspectorModel | undefined): string {
  return JSON.stringify(model?.tokens.map((t) => [t.kind, t.raw, t.concealed?.length]) ?? null);
}

function onMessage(msg: ToWebview): void {
  switch (msg.type) {
    case 'show': {
      const changed = tokensKey(state.model) !== tokensKey(msg.model) || state.model?.tokenSetId !== msg.model.tokenSetId;
      state = {
        ...state,
        model: msg.model,
        offset: msg.now - Date.now(),
        selected: msg.select ?? state.selected,
        introspection: changed ? undefined : state.introspection,
      };
      if (changed) errorMessage = undefined;
      busy.refresh = false;
      break;
    }
    case 'busy':
      busy[msg.action] = msg.busy;
      if (msg.busy) errorMessage = undefined;
      break;
    case 'introspection':
      state = { ...state, introspection: { result: msg.result, token: msg.token } };
      busy.introspect = false;
      break;
    case 'error':
      errorMessage = msg.message;
      busy.refresh = false;
      busy.introspect = false;
      break;
  }
  save();
  render();
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isToWebview(event.data)) onMessage(event.data);
});

render();
post({ type: 'ready' });

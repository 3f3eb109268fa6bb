/**
 * The one place HTTP happens. Wraps node-fetch with a timeout, the caller's AbortSignal, typed
 * transport errors and a log hook that sees method, URL (no query), status and duration only.
 */
import type { Agent } from 'node:http';
import type { FetchError as FetchErrorType } from 'node-fetch';
import { isAllowedTransport } from './basics';
import { ExplorerError } from './errors';
import { safeUrl } from './redact';

export interface RequestLogEntry {
  method: string;
  /** Origin and path only. */
  url: string;
  status?: number;
  durationMs: number;
  /** Error code when the request failed before a response arrived. */
  error?: string;
}

export interface HttpSettings {
  /** Bounds the whole exchange, headers and body. */
  timeoutMs: number;
  signal?: AbortSignal;
  log?: (entry: RequestLogEntry) => void;
  /** The connection agent per URL; default: Node's (keep-alive), which VS Code's proxy support routes. */
  agent?: (url: URL) => Agent | undefined;
}

/** No answer the extension reads is larger (discovery documents and token responses are a few KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a body as UTF-8, stopping (and closing the connection) once it passes `MAX_BODY_BYTES`. */
async function readCapped(body: NodeJS.ReadableStream | null, url: string, declaredLength: number): Promise<string> {
  if (!body) return '';
  const tooLarge = () => {
    (body as unknown as { destroy?: () => void }).destroy?.();
    return new ExplorerError(
      'invalid_response',
      `The answer from ${describeHost(url)} is larger than 1 MiB, so it was not read. Check the environment's URL: no OAuth or discovery answer is that big.`,
    );
  };
  if (declaredLength > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: URLSearchParams | string;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased media type without parameters, '' when absent. */
  contentType: string;
  header(name: string): string | null;
  /** Each Set-Cookie header separately (they cannot be joined safely). */
  setCookies: string[];
  text: string;
}

/**
 * node-fetch is loaded on the first request, so activation does not pay for evaluating it (a
 * require of dist/vendor/node-fetch.js, which the build makes CommonJS; see loadJose for why).
 */
let nodeFetch: Promise<typeof import('node-fetch')> | undefined;
const loadFetch = () => (nodeFetch ??= Promise.resolve().then(() => require('node-fetch') as typeof import('node-fetch')));

function describeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/**
 * The last check before anything is sent: https://, or plain http:// to a loopback host. Every URL
 * is validated where it enters (environment, discovery, flows), so this only ever stops a URL that
 * slipped past those checks, with nothing sent.
 */
function requireSecureUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ExplorerError('invalid_input', `Nothing was sent: "${safeUrl(raw)}" is not a URL.`);
  }
  if (isAllowedTransport(url)) return;
  throw new ExplorerError(
    'invalid_input',
    `Nothing was sent to ${safeUrl(raw)}: requests must use https:// (plain http:// is only allowed for loopback hosts such as 127.0.0.1).`,
  );
}

export async function httpRequest(req: HttpRequest, settings: HttpSettings): Promise<HttpResponse> {
  requireSecureUrl(req.url);
  const started = Date.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), settings.timeoutMs);
  const signal = settings.signal ? AbortSignal.any([settings.signal, timeout.signal]) : timeout.signal;
  const entry = (extra: Partial<RequestLogEntry>) => settings.log?.({ method: req.method, url: safeUrl(req.url), durationMs: Date.now() - started, ...extra });

  const { default: fetch, FetchError } = await loadFetch();
  if (settings.signal?.aborted) {
    clearTimeout(timer);
    throw new ExplorerError('cancelled', 'The request was cancelled.');
  }
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { Accept: 'application/json', ...req.headers },
      body: req.body,
      signal,
      redirect: 'manual',
      agent: settings.agent,
    });
    const text = await readCapped(res.body, req.url, Number(res.headers.get('content-length') ?? '0'));
    entry({ status: res.status });
    return {
      status: res.status,
      contentType: (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase(),
      header: (name) => res.headers.get(name),
      setCookies: res.headers.raw()['set-cookie'] ?? [],
      text,
    };
  } catch (err) {
    const host = describeHost(req.url);
    let error: ExplorerError;
    if (err instanceof ExplorerError) {
      error = err; // already typed (an oversized answer)
    } else if (settings.signal?.aborted) {
      error = new ExplorerError('cancelled', 'The request was cancelled.', { cause: err });
    } else if (timeout.signal.aborted) {
      const seconds = Math.round(settings.timeoutMs / 100) / 10;
      error = new ExplorerError(
        'timeout',
        `No answer from ${host} within ${seconds} s. Check the URL, your network and proxy settings, or raise "pingone.requestTimeoutSeconds".`,
        { cause: err },
      );
    } else {
      const sys = err instanceof FetchError ? ((err as FetchErrorType).code ?? (err as FetchErrorType).errno) : (err as NodeJS.ErrnoException)?.code;
      const reason =
        sys === 'ECONNREFUSED'
          ? 'the connection was refused (is the server running and the port right?)'
          : sys === 'ECONNRESET' || sys === 'EPIPE' || sys === 'UND_ERR_SOCKET'
            ? 'the connection was reset before the answer was complete'
            : sys === 'ENOTFOUND' || sys === 'EAI_AGAIN'
              ? 'the host name could not be resolved (check the URL or region)'
              : `${sys ? `${sys}: ` : ''}${err instanceof Error ? err.message : String(err)}`;
      error = new ExplorerError('network', `Could not reach ${host}: ${reason}.`, { cause: err });
    }
    entry({ error: error.code });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A short, safe description of a non-JSON body for an error message. */
export function describeBody(res: HttpResponse): string {
  if (res.text.trim() === '') return 'an empty body';
  if (res.contentType.includes('html') || /^\s*</.test(res.text)) {
    const title = /<title[^>]*>([^<]{1,80})<\/title>/i.exec(res.text)?.[1]?.trim();
    return `an HTML page${title ? ` ("${title}")` : ''}`;
  }
  return `${res.contentType || 'a body'} that is not valid JSON`;
}

/** Parses a JSON body; `undefined` when it is not JSON. */
export function tryParseJson(res: HttpResponse): unknown {
  if (res.text.trim() === '') return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

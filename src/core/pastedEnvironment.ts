/**
 * What a user pastes where the PingOne environment ID is asked: the ID itself, or a URL that
 * contains it, such as the admin console's address (`https://console.pingone.eu/?env=<id>#/…`) or
 * the environment's issuer (`https://auth.pingone.eu/<id>/as`). The ID is taken from the URL, and
 * the region when the host names one.
 */
import { REGIONS, type Region } from './environment';

const UUID_IN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export interface PastedEnvironment {
  environmentId: string;
  /** The region the URL's host belongs to (auth., console., api., apps. hosts of PingOne). */
  region?: Region;
}

function regionOfHost(host: string): Region | undefined {
  const suffix = host.toLowerCase().replace(/^[^.]+\./, '');
  return (Object.keys(REGIONS) as Region[]).find((r) => new URL(REGIONS[r].authBase).host.replace(/^auth\./, '') === suffix);
}

/** The environment ID (and region) in a pasted URL; undefined when `text` is not a URL holding one. */
export function environmentFromUrl(text: string): PastedEnvironment | undefined {
  const t = text.trim();
  if (!/^https?:\/\//i.test(t) || !URL.canParse(t)) return undefined;
  const url = new URL(t);
  // The console keeps it in ?env=…, sometimes inside the #/… fragment; the issuer in the path.
  const candidates = [url.searchParams.get('env'), new URLSearchParams(url.hash.split('?')[1] ?? '').get('env'), url.pathname, url.hash];
  for (const c of candidates) {
    const m = c ? UUID_IN.exec(c) : null;
    if (m) return { environmentId: m[0].toLowerCase(), region: regionOfHost(url.host) };
  }
  return undefined;
}

/**
 * The inspector page's HTML shell. Pure (no `vscode`), so the browser test serves exactly the page
 * the panel does, under the same Content Security Policy.
 */

export interface InspectorHtmlOptions {
  /** `webview.cspSource`: the origin the page may load its own script, style, images and fonts from. */
  cspSource: string;
  /** A fresh nonce per page load (base64 of 16 bytes from the OS CSPRNG). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `img-src ${cspSource} data:`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`].join('; ');
}

export function inspectorHtml(o: InspectorHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Token Inspector</title>
</head>
<body>
<main id="app" aria-label="Token Inspector"></main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

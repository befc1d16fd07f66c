import { createHash } from 'node:crypto';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

/** The one stylesheet, inline; the Content-Security-Policy allows exactly it, by hash. */
export const PAGE_STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2330;line-height:1.5}
h1{font-size:1.4rem;margin-bottom:.5rem}
.ok h1{color:#17663a}.fail h1{color:#a12622}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#5b6473}dd{margin:0;font-weight:600}
.button{display:inline-block;margin-top:1.5rem;padding:.55rem 1.1rem;border-radius:.4rem;background:#1d4ed8;color:#fff;text-decoration:none}
code{background:#eef1f6;padding:.1rem .3rem;border-radius:.2rem}
`;

export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/** The frame of every page the vault shows a person: no script, no outside resources. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · token-vault</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

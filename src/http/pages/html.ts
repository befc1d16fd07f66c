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
body.wide{max-width:64rem;margin:2rem auto}
h2{font-size:1.1rem;margin:2rem 0 .5rem}
.muted{color:#5b6473;font-size:.9rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th{text-align:left;color:#5b6473;font-weight:600;border-bottom:2px solid #d8dde6;padding:.4rem .5rem}
td{border-bottom:1px solid #e6e9ef;padding:.45rem .5rem}
td .button{margin:0;padding:.3rem .8rem;white-space:nowrap}
.state{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.85rem;font-weight:600;white-space:nowrap}
.state-live{background:#dcf3e4;color:#17663a}.state-expiring{background:#fdf0d2;color:#8a5300}.state-expired,.state-missing{background:#fbe3e1;color:#a12622}
.up{color:#17663a}.down{color:#a12622}
@media (max-width:40rem){
body.wide{margin:1rem auto}
table.cards thead{display:none}
table.cards tr{display:block;border:1px solid #e6e9ef;border-radius:.5rem;margin-bottom:.75rem;padding:.25rem .75rem}
table.cards td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.3rem 0;text-align:right}
table.cards td::before{content:attr(data-label);color:#5b6473;text-align:left}
}
`;

export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

export interface PageOptions {
  /** Reload the page this often, with no script: a page left open on a wall or a phone stays current. */
  refreshSeconds?: number;
  /** Room for a table: a wider column on a desk, while a phone still shows one column of cards. */
  wide?: boolean;
}

/** The frame of every page the vault shows a person: no script, no outside resources. */
export function page(title: string, body: string, options: PageOptions = {}): string {
  const refresh = options.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.floor(options.refreshSeconds)}">\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${refresh}<title>${escapeHtml(title)} · token-vault</title>
<style>${PAGE_STYLE}</style>
</head>
<body${options.wide ? ' class="wide"' : ''}>
${body}
</body>
</html>
`;
}

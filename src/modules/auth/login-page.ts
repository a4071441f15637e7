const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The Kite Connect login page an API app sends its user to (GET /connect/login?api_key=…). */
export function loginPage(opts: { apiKey: string; appName: string; error?: string; email?: string }): string {
  const error = opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Log in to ${escapeHtml(opts.appName)} · Mstock</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
h1{font-size:1.2rem;margin:0 0 .25rem}p.sub{color:#666;margin:0 0 1.25rem;font-size:.9rem}
label{display:block;font-size:.85rem;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #ccc;border-radius:4px}
button{margin-top:1.25rem;width:100%;padding:.65rem;font-size:1rem;background:#387ed1;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;background:#fdecee;padding:.5rem;border-radius:4px;font-size:.9rem}
</style></head>
<body><form method="post" action="/connect/login">
<h1>Mstock</h1><p class="sub">Log in to continue to <b>${escapeHtml(opts.appName)}</b></p>${error}
<input type="hidden" name="api_key" value="${escapeHtml(opts.apiKey)}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(opts.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="totp">TOTP code</label><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}|[a-z0-9]{5}-[a-z0-9]{5}" required>
<button type="submit">Log in</button>
</form></body></html>`;
}

// The widget's whole stylesheet. It lives in the shadow root: the page's CSS
// cannot reach in, and ":host { all: initial }" stops inherited fonts and colours.
export const css = `
:host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--sb-fg);--sb-fg:#1d2330;--sb-accent:#2457d6;--sb-bg:#fff;--sb-muted:#6b7280;--sb-line:#e5e7eb;--sb-in:#2457d6;--sb-out:#f1f3f7}
@media (prefers-color-scheme:dark){:host{--sb-fg:#e8eaf0;--sb-bg:#1b1f27;--sb-muted:#9aa3b2;--sb-line:#2e3440;--sb-out:#272c36}}
*{box-sizing:border-box;font:inherit;color:inherit}
button{cursor:pointer;border:0;background:none;padding:0}
[hidden]{display:none!important}
.launcher{width:56px;height:56px;border-radius:50%;background:var(--sb-accent);color:#fff;box-shadow:0 6px 20px rgba(0,0,0,.25);display:grid;place-items:center;position:relative}
.launcher svg,.icon svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#d93025;color:#fff;font-size:12px;font-weight:600;display:grid;place-items:center;padding:0 5px}
.panel{position:absolute;right:0;bottom:72px;width:370px;height:min(600px,calc(100vh - 110px));background:var(--sb-bg);border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}
header{background:var(--sb-accent);color:#fff;padding:14px 16px;display:flex;align-items:center;gap:8px}
header .title{font-weight:600;font-size:16px;flex:1}
header .status{font-size:12px;opacity:.85}
header .icon{color:#fff;width:32px;height:32px;display:grid;place-items:center;border-radius:8px}
header .icon svg{width:20px;height:20px}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.note{color:var(--sb-muted);font-size:12px;text-align:center;padding:4px}
.msg{max-width:80%;display:flex;flex-direction:column;gap:2px}
.msg.in{align-self:flex-end;align-items:flex-end}
.msg.out{align-self:flex-start}
.bubble{padding:8px 12px;border-radius:14px;background:var(--sb-out);white-space:pre-wrap;overflow-wrap:anywhere}
.in .bubble{background:var(--sb-in);color:#fff}
.meta{font-size:11px;color:var(--sb-muted);display:flex;gap:6px;align-items:center}
.meta .tick{color:var(--sb-accent);font-weight:700}
.failed .bubble{opacity:.6}
.failed .meta{color:#d93025}
.meta button{text-decoration:underline;color:inherit;font-size:11px}
.att{display:block;margin-top:4px;text-decoration:underline;color:inherit}
.att img{display:block;max-width:220px;max-height:180px;border-radius:8px}
.typing{padding:0 16px 6px;font-size:12px;color:var(--sb-muted);min-height:18px}
.error{margin:0 12px 8px;padding:8px 10px;border-radius:8px;background:#fdecea;color:#8a1c12;font-size:13px}
form.composer{display:flex;align-items:flex-end;gap:6px;padding:10px;border-top:1px solid var(--sb-line)}
textarea,input{flex:1;width:100%;color:var(--sb-fg);border:1px solid var(--sb-line);border-radius:10px;padding:9px 10px;background:var(--sb-bg);resize:none;max-height:120px;outline-color:var(--sb-accent)}
.composer .icon{width:36px;height:36px;display:grid;place-items:center;color:var(--sb-muted)}
.composer .icon svg{width:22px;height:22px}
.composer .send{color:var(--sb-accent)}
form.card{padding:16px;display:flex;flex-direction:column;gap:10px;overflow-y:auto;flex:1}
form.card label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:var(--sb-muted)}
form.card textarea{min-height:90px}
.primary{background:var(--sb-accent);color:#fff;border-radius:10px;padding:10px;font-weight:600}
.primary:disabled{opacity:.6}
.ended{margin:8px 4px;padding:12px;border:1px solid var(--sb-border,#dde1e7);border-radius:10px;text-align:center;display:flex;flex-direction:column;gap:8px;font-size:14px}
@media (max-width:520px){:host{right:12px;bottom:12px}.panel{position:fixed;inset:0;width:100%;height:100%;border-radius:0}.open .launcher{display:none}}
.deflect{padding:6px 14px;border-top:1px solid var(--sb-line);display:flex;flex-direction:column;gap:4px}
.deflect .note{text-align:left;padding:0}
.hit{text-align:left;color:var(--sb-accent);padding:4px 0;text-decoration:underline}
.article{flex:1;overflow-y:auto;padding:14px}
.article h2{font-size:16px;font-weight:600;margin:8px 0}
.article .back{color:var(--sb-accent)}
.article img{max-width:100%}
.article a{color:var(--sb-accent)}
.article strong,.article b{font-weight:700}
.article em,.article i{font-style:italic}

.call{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:8px 12px;border-bottom:1px solid var(--sb-line)}
.call .line{flex:1 1 100%;font-size:13px;color:var(--sb-muted)}
.cb{border:1px solid var(--sb-line);border-radius:8px;padding:5px 10px;font-size:13px}
.cb.ok{background:#1e8e3e;color:#fff}.cb.end{background:#d93025;color:#fff}
.tiles{flex:1 1 100%;position:relative}
.tiles video{width:100%;border-radius:8px;background:#000;max-height:200px}
.tiles .self{position:absolute;right:6px;bottom:6px;width:30%}
`;

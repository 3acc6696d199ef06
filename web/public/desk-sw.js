// The desktop's service worker, for Web Push only (ADR 0048): it shows an
// invitation to a swarm room pushed while the agent or expert is away, and
// opens the room when it is clicked. The payload is JSON {title, body, url,
// id} (internal/channel/webpush).
/* eslint-env serviceworker */

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'A colleague asks for your help', {
      body: data.body || '',
      // One invitation shows once, even if a retry delivers it again.
      tag: data.id || undefined,
      icon: '/favicon.svg',
      data: { url: safeURL(data.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/desktop/rooms';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const w of windows) {
        if (w.url === url && 'focus' in w) return w.focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});

// safeURL keeps clicks on this site: a link elsewhere opens the rooms instead.
function safeURL(raw) {
  const home = new URL('/desktop/rooms', self.location.origin).href;
  try {
    const u = new URL(raw || home, self.location.origin);
    return u.origin === self.location.origin ? u.href : home;
  } catch {
    return home;
  }
}

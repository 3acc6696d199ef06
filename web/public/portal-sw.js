// The consumer portal's service worker, for Web Push only: it shows each
// notice the center pushes and opens the notice's link when it is clicked.
// The payload is JSON {title, body, url, id} (internal/channel/webpush).
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
  const title = data.title || 'New notice';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      // One notice shows once, even if a retry delivers it again.
      tag: data.id || undefined,
      icon: '/favicon.svg',
      data: { url: safeURL(data.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/portal';
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

// safeURL keeps clicks on this site: a link elsewhere opens the portal instead.
function safeURL(raw) {
  try {
    const u = new URL(raw || '/portal', self.location.origin);
    return u.origin === self.location.origin ? u.href : new URL('/portal', self.location.origin).href;
  } catch {
    return new URL('/portal', self.location.origin).href;
  }
}

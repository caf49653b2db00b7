// Kring's service worker. It exists for one page: the observation form of a research
// lesson, used on a phone in a classroom whose connection comes and goes. Every time
// the form (and the app's own scripts and styles) loads over the network, a copy is
// kept; when the network is gone, the copy is served, so the form opens and the notes
// kept on the phone are there. Nothing else is cached, and the copies go when the
// person signs out or the server no longer shows them the form.

const CACHE = "kring-offline-v1";
const OBSERVE_FORM = /^\/ls\/[0-9a-f-]{36}\/observe$/;

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

// The cache key for a request worth keeping, or null.
function keyOf(request, url) {
  if (request.method !== "GET" || url.origin !== self.location.origin) return null;
  if (request.mode === "navigate" && OBSERVE_FORM.test(url.pathname)) return url.pathname;
  if (url.pathname.startsWith("/pkg/")) return url.pathname;
  return null;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin && url.pathname === "/api/logout") {
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  const key = keyOf(request, url);
  if (key === null) return;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request);
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        } else if (request.mode === "navigate") {
          // Signed out, or no longer a member: the copy must not outlive that.
          event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(key)));
        }
        return response;
      } catch (offline) {
        const kept = await caches.match(key);
        if (kept) return kept;
        throw offline;
      }
    })(),
  );
});

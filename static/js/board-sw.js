// The notice boards' service worker (served at /boards/sw.js, so its scope is /boards/).
// It keeps each board's last good page and the files the page uses, and serves them when the
// server cannot be reached: a screen that starts while the server is down (the kiosk browser
// after a power cut) shows its last content, with the "重新连接中" mark board.js puts up,
// instead of the browser's error page, and recovers by itself when its polls succeed. Polls
// and every other request go to the network untouched. An old address's 404 is passed on
// (and its copy dropped): the worker never brings back a board that was replaced.
"use strict";
var CACHE = "board-pages-v1";
var STATIC = new URL("../static/", self.location).pathname;

function key(url) { var u = new URL(url); return u.origin + u.pathname; }  // one copy, whatever the ?v=
function keep(url, resp) {
  var copy = resp.clone();
  return caches.open(CACHE).then(function (c) { return c.put(key(url), copy); });
}
function last(url, otherwise) {
  return caches.open(CACHE).then(function (c) { return c.match(key(url), { ignoreVary: true }); })
    .then(function (hit) { return hit || otherwise || Response.error(); });
}
function board(resp) { return resp.status === 200 && resp.headers.get("X-Board") === "1"; }
// The page that registered the worker loaded before it: keep that page and its files now.
function keepPage(url) {
  return fetch(url).then(function (resp) {
    if (!board(resp)) return null;
    return keep(url, resp).then(function () { return resp.text(); }).then(function (html) {
      var files = html.match(/(?:src|href)="[^"]*\/static\/[^"]*"/g) || [];
      return Promise.all(files.map(function (attr) {
        var src = new URL(attr.replace(/^(?:src|href)="|"$/g, "").replace(/&amp;/g, "&"), url).href;
        return fetch(src).then(function (r) { return r.ok ? keep(src, r) : null; });
      }));
    });
  }).catch(function () { return null; });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (evt) {
  evt.waitUntil(self.clients.claim().then(function () {
    return self.clients.matchAll({ type: "window" });
  }).then(function (pages) {
    return Promise.all(pages.map(function (p) { return keepPage(p.url); }));
  }));
});
self.addEventListener("fetch", function (evt) {
  var req = evt.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    evt.respondWith(fetch(req).then(function (resp) {
      if (board(resp)) { evt.waitUntil(keep(req.url, resp)); return resp; }
      if (resp.status === 404 || resp.status === 410) {
        evt.waitUntil(caches.open(CACHE).then(function (c) { return c.delete(key(req.url)); }));
      }
      return resp.status < 500 ? resp : last(req.url, resp);  // a proxy's 502, the maintenance page
    }, function () { return last(req.url); }));
  } else if (url.pathname.indexOf(STATIC) === 0) {
    evt.respondWith(fetch(req).then(function (resp) {
      if (resp.ok) evt.waitUntil(keep(req.url, resp));
      return resp;
    }, function () { return last(req.url); }));
  }
});

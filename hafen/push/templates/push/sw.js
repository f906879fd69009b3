/* Hafen's service worker: shows a neutral notice when the team has answered.
 *
 * The push carries no content ({"type":"answer"} at most), and the notice shows a
 * fixed text without team or organisation, so a locked phone screen tells nobody
 * that this is counselling. This worker has no fetch handler and caches nothing: a
 * shared phone must not keep pages of the conversation.
 */
"use strict";
var TEXTS = {{ texts|safe }};

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  // Whatever the push contains, it is never shown: the text is fixed here.
  event.waitUntil(self.registration.showNotification(TEXTS.title, {
    body: TEXTS.body,
    tag: "hafen-answer",
    renotify: true,
    data: { url: TEXTS.url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL(TEXTS.url, self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url.indexOf(target) === 0 && "focus" in list[i]) return list[i].focus();
    }
    return self.clients.openWindow(target);
  }));
});

/* Notifications about answers for the client (progressive enhancement).
 *
 * The opt-in stays hidden unless this browser can receive pushes (service worker,
 * Push API, notifications). Turning it on asks for permission, subscribes with the
 * installation's VAPID key and sends the subscription to the server, which stores it
 * encrypted with the conversation. Turning it off removes it on both sides. The push
 * that later arrives carries no content; the service worker shows a fixed text.
 */
(function () {
  "use strict";
  var box = document.getElementById("push-opt-in");
  var textsNode = document.getElementById("push-texts");
  if (!box || !textsNode) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window) || !window.fetch || !window.Promise) return;

  var texts = JSON.parse(textsNode.textContent);
  var button = box.querySelector("[data-push=toggle]");
  var status = box.querySelector("[data-push=status]");
  var csrf = box.querySelector("input[name=csrfmiddlewaretoken]");
  var serverActive = box.getAttribute("data-active") === "1";
  var on = false;
  var busy = false;

  function say(text) { status.textContent = text || ""; }

  // An error whose text is meant for the client (from the server or from here);
  // the browser's own errors are technical English, so they get the general text.
  function failure(text) {
    var error = new Error(text || texts.failed);
    error.forClient = true;
    return error;
  }

  function show(isOn) {
    on = isOn;
    button.textContent = isOn ? texts.turn_off : texts.turn_on;
    button.setAttribute("aria-pressed", isOn ? "true" : "false");
    button.classList.toggle("secondary", isOn);
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      // The door pages send no referrer at all, under which browsers send "Origin: null"
      // with a POST, and the CSRF check refuses it. Same-origin only: nothing leaves.
      referrerPolicy: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw failure(body.error);
        return body;
      });
    });
  }

  function registration() {
    return navigator.serviceWorker.register(box.getAttribute("data-worker-url"), {
      scope: box.getAttribute("data-scope")
    }).then(function () { return navigator.serviceWorker.ready; });
  }

  function sameKey(subscription, key) {
    var own = subscription.options && subscription.options.applicationServerKey;
    if (!own) return true;
    var mine = new Uint8Array(own);
    if (mine.length !== key.length) return false;
    for (var i = 0; i < key.length; i++) if (mine[i] !== key[i]) return false;
    return true;
  }

  function turnOn() {
    var key = keyBytes(box.getAttribute("data-public-key"));
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw failure(texts.denied);
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        // A subscription made with another server key (the key was replaced) is useless.
        if (existing && !sameKey(existing, key)) {
          return existing.unsubscribe().then(function () { return null; });
        }
        return existing;
      }).then(function (existing) {
        return existing || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      });
    }).then(function (subscription) {
      return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
    }).then(function (body) { show(true); say(body.message || texts.on); });
  }

  function turnOff() {
    return navigator.serviceWorker.getRegistration(box.getAttribute("data-scope")).then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) return { message: texts.off };
      return post(box.getAttribute("data-unsubscribe-url"), { endpoint: subscription.endpoint })
        .then(function (body) { return subscription.unsubscribe().then(function () { return body; }); });
    }).then(function (body) { show(false); say(body.message || texts.off); });
  }

  button.addEventListener("click", function () {
    if (busy) return;
    busy = true;
    button.disabled = true;
    say(texts.working);
    (on ? turnOff() : turnOn()).catch(function (error) {
      say(error && error.forClient ? error.message : texts.failed);
    }).then(function () { busy = false; button.disabled = false; });
  });

  // On only if this browser holds a subscription and the server has one for this
  // conversation (after a return with the code on another conversation, it may not).
  show(false);
  if (Notification.permission === "denied") say(texts.denied);
  navigator.serviceWorker.getRegistration(box.getAttribute("data-scope")).then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    show(Boolean(subscription) && serverActive);
  }).catch(function () { /* keep "off" */ }).then(function () { box.hidden = false; });
})();

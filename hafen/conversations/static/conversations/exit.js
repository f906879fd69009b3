/* Quick exit: end the session in the background and replace this page at once with a
 * neutral one, so that the back button does not lead here. The unsent outbox of this
 * tab and the browser's push subscription are forgotten too. Without JavaScript the same button posts a form. */
(function () {
  "use strict";
  var form = document.querySelector("form.quick-exit");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var target = form.getAttribute("data-exit-url");
    if (!target) return;
    event.preventDefault();
    try { window.sessionStorage.clear(); } catch (e) { /* nothing stored */ }
    // No notice about answers may appear on this phone after a quick exit: drop the
    // browser's push subscription too (the server forgets it at the push service's 410).
    try {
      if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
        navigator.serviceWorker.getRegistrations().then(function (registrations) {
          registrations.forEach(function (registration) {
            if (registration.pushManager) {
              registration.pushManager.getSubscription().then(function (subscription) {
                if (subscription) subscription.unsubscribe();
              });
            }
          });
        });
      }
    } catch (e) { /* push is optional */ }
    if (navigator.sendBeacon) navigator.sendBeacon(form.action);
    window.location.replace(target);
  });
})();

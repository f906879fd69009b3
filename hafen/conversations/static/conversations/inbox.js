/* The team inbox in realtime, and canned replies with one click (progressive enhancement).
 *
 * Without this script everything works with forms and reloads. With it, the page
 * listens on the staff socket (/ws/staff/), which carries only "conversation N
 * changed" events of the person's teams, never content. On such an event the list
 * (or, on a conversation page, the panel with state, assignment and labels) is fetched
 * again from the server, so it always shows what the server says this person may
 * see. Events that arrive while a fetch runs are folded into one more fetch; after
 * a lost connection the page fetches once on reconnect, so nothing missed stays
 * missed. The conversation's messages themselves are door.js's work.
 */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  var texts = readJSON("inbox-texts") || {};
  var status = document.getElementById("inbox-status");
  function say(text) { if (status) status.textContent = text || ""; }

  // -- canned replies: fill the answer box instead of reloading with ?vorlage=<id> --------
  var replies = readJSON("canned-replies");
  var box = document.querySelector("#composer textarea[name=body]");
  var typedInBox = false;
  if (replies && box) {
    box.addEventListener("focus", function () { typedInBox = true; });
    document.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a[data-canned]") : null;
      if (!link) return;
      var text = replies[link.getAttribute("data-canned")];
      if (typeof text !== "string") return;  // unknown here: the link loads the page instead
      event.preventDefault();
      insertReply(text);
    });
  }

  function insertReply(text) {
    var value = box.value;
    if (!value.trim()) {
      box.value = text;
    } else if (typedInBox && typeof box.selectionStart === "number") {
      // Where the cursor was: a reply often goes into the middle of an answer.
      var start = box.selectionStart, end = box.selectionEnd;
      box.value = value.slice(0, start) + text + value.slice(end);
      box.selectionStart = box.selectionEnd = start + text.length;
    } else {
      box.value = value.replace(/\s+$/, "") + "\n\n" + text;
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  // -- realtime ---------------------------------------------------------------------------
  var list = document.getElementById("inbox-list");
  var panel = document.getElementById("triage");
  var target = list || panel;
  if (!target || !window.WebSocket || !window.fetch) return;

  var socketPath = target.getAttribute("data-socket");
  var conversationId = panel && !list ? panel.getAttribute("data-conversation") : null;
  var timer = null;
  var loading = false;
  var again = false;
  var attempts = 0;
  var pinger = null;

  function fragmentUrl() {
    if (list) return list.getAttribute("data-fragment") + window.location.search;
    return panel.getAttribute("data-url");
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  function refresh() {
    if (loading) { again = true; return; }
    // Do not pull a form away from under somebody's hand: refresh when they leave it.
    if (target.contains(document.activeElement) && document.activeElement !== document.body) {
      target.addEventListener("focusout", schedule, { once: true });
      return;
    }
    loading = true;
    window.fetch(fragmentUrl(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected) throw new Error("expired");  // sent to the login page
        if (response.status === 404) throw new Error("gone");
        if (!response.ok && response.status !== 400) throw new Error("failed");
        return response.text();
      })
      .then(function (html) {
        target.innerHTML = html;  // rendered and escaped by the server
        say("");
      })
      .catch(function (error) {
        say(error.message === "gone" ? texts.gone : error.message === "expired" ? texts.expired : texts.offline);
      })
      .then(function () {
        loading = false;
        if (again) { again = false; schedule(); }
      });
  }

  function concerns(payload) {
    var kind = String(payload.kind || "");
    if (kind.indexOf("conversation.") !== 0) return false;
    if (conversationId === null) return true;  // the list: every change may move a row
    // A conversation page: only its own changes; receipts move no state. A busy team's
    // changes come folded into one "conversation.batch" event.
    if (kind === "conversation.batch") {
      var ids = (payload.conversations || []).map(String);
      return ids.indexOf(conversationId) !== -1 && !payload.receipts_only;
    }
    return String(payload.conversation) === conversationId && kind !== "conversation.receipt";
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + socketPath);
    socket.onopen = function () {
      attempts = 0;
      say("");
      // What happened between rendering the page (or losing the connection) and now.
      schedule();
      pinger = window.setInterval(function () {
        if (socket.readyState === 1) socket.send(JSON.stringify({ type: "ping" }));
      }, 25000);
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && frame.type === "event" && frame.payload && concerns(frame.payload)) schedule();
    };
    socket.onclose = function (event) {
      window.clearInterval(pinger);
      if (event.code === 4401) { say(texts.expired); return; }
      attempts += 1;
      if (attempts > 1) say(texts.offline);
      window.setTimeout(connect, Math.min(30000, 500 * Math.pow(2, attempts)));
    };
  }
  connect();
})();

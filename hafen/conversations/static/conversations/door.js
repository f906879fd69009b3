/* Realtime conversation for the client door and the inbox (progressive enhancement).
 *
 * Without this script the page works with plain forms and reloads. With it, messages
 * go over a websocket. Nothing typed is lost: every message waits in an outbox
 * (sessionStorage, so a reload keeps it and closing the tab forgets it) under an id
 * made here, until the server acknowledges it after committing; a resend after a lost
 * connection carries the same id, so the server stores it once. On every (re)connect
 * the page asks for everything after the last sequence number it has.
 */
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  var form = document.getElementById("composer");
  var textsNode = document.getElementById("thread-texts");
  if (!thread || !form || !textsNode || !window.WebSocket || !window.JSON) return;

  var texts = JSON.parse(textsNode.textContent);
  var status = document.getElementById("connection");
  var textarea = form.querySelector("textarea[name=body]");
  var idInput = form.querySelector("input[name=client_id]");
  var reload = document.getElementById("reload");
  var path = thread.getAttribute("data-socket");
  var lastSeq = parseInt(thread.getAttribute("data-last-seq") || "0", 10) || 0;
  var storeKey = "hafen-outbox:" + path;
  var socket = null;
  var connected = false;
  var attempts = 0;
  var seenTimer = null;
  var receipts = { delivered: 0, read: 0 };
  var lastQueuedAt = 0;
  if (reload) reload.hidden = true;

  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  function loadOutbox() {
    try { return JSON.parse(window.sessionStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox() {
    try { window.sessionStorage.setItem(storeKey, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
  }
  var outbox = loadOutbox();

  function say(text) {
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
  }

  function receiptText(kind) { return texts[kind] || kind; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;  // always text, never HTML
    return node;
  }

  function renderBody(p, body) {
    var lines = String(body).split("\n");
    for (var i = 0; i < lines.length; i++) {
      if (i) p.appendChild(document.createElement("br"));
      p.appendChild(document.createTextNode(lines[i]));
    }
  }

  function buildItem(m) {
    var li = el("li", "msg msg-" + m.sender + (m.own ? " msg-own" : ""));
    if (m.seq) li.setAttribute("data-seq", m.seq);
    if (m.client_id) li.setAttribute("data-client-id", m.client_id);
    var meta = el("p", "msg-meta");
    var who = m.author || (m.own ? texts.you : (m.sender === "system" ? texts.automatic : texts.other));
    meta.appendChild(el("span", "msg-who", who));
    if (m.at) {
      meta.appendChild(document.createTextNode(" · "));
      var time = el("time", null, m.at.slice(11, 16));
      time.setAttribute("datetime", m.at);
      meta.appendChild(time);
    }
    if (m.own) {
      meta.appendChild(document.createTextNode(" · "));
      var r = el("span", "receipt", receiptText(m.receipt || "sending"));
      r.setAttribute("data-receipt", m.receipt || "sending");
      meta.appendChild(r);
    }
    li.appendChild(meta);
    var body = el("p", "msg-body");
    renderBody(body, m.body);
    li.appendChild(body);
    if (m.attachment) {
      var att = el("p", "msg-attachment");
      var a = el("a", null, m.attachment.name);
      a.href = m.attachment.url;
      a.setAttribute("download", "");
      att.appendChild(a);
      li.appendChild(att);
    }
    return li;
  }

  function removeEmptyHint() {
    var empty = thread.querySelector(".thread-empty");
    if (empty) empty.parentNode.removeChild(empty);
  }

  function pendingItem(id) {
    return thread.querySelector('li[data-client-id="' + id + '"]:not([data-seq])');
  }

  function showMessage(m) {
    if (m.seq <= lastSeq) return;
    lastSeq = m.seq;
    removeEmptyHint();
    var item = buildItem(m);
    var pending = m.client_id ? pendingItem(m.client_id) : null;
    if (pending) thread.replaceChild(item, pending);
    else thread.appendChild(item);
    applyReceipts();
  }

  function applyReceipts() {
    var own = thread.querySelectorAll("li.msg-own[data-seq]");
    for (var i = 0; i < own.length; i++) {
      var seq = parseInt(own[i].getAttribute("data-seq"), 10);
      var kind = seq <= receipts.read ? "read" : (seq <= receipts.delivered ? "delivered" : "sent");
      var r = own[i].querySelector(".receipt");
      if (r && r.getAttribute("data-receipt") !== kind) {
        r.setAttribute("data-receipt", kind);
        r.textContent = receiptText(kind);
      }
    }
  }

  function sendSeen() {
    if (seenTimer) return;
    seenTimer = window.setTimeout(function () {
      seenTimer = null;
      if (!connected) return;
      var visible = document.visibilityState !== "hidden";
      socket.send(JSON.stringify({ type: "seen", delivered: lastSeq, read: visible ? lastSeq : 0 }));
    }, 300);
  }

  function flush() {
    if (!connected) return;
    for (var i = 0; i < outbox.length; i++) {
      socket.send(JSON.stringify({ type: "send", id: outbox[i].id, body: outbox[i].body }));
    }
  }

  // Errors after which the outbox is sent again (milliseconds to wait), not given up.
  var RETRY_AFTER = { too_fast: 3000, unavailable: 5000 };
  var retryTimer = null;
  var retryNotice = "";

  function retryLater(delay) {
    if (retryTimer) return;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, delay);
  }

  function dropFromOutbox(id) {
    outbox = outbox.filter(function (entry) { return entry.id !== id; });
    saveOutbox();
  }

  function onFrame(frame) {
    if (frame.type === "message") {
      showMessage(frame);
      if (!frame.own) sendSeen();
    } else if (frame.type === "ack") {
      dropFromOutbox(frame.id);
      if (!outbox.length && retryNotice && status && status.textContent === retryNotice) say("");
      var pending = pendingItem(frame.id);
      if (pending) {
        // The message frame follows; until then the item shows "sent".
        var r = pending.querySelector(".receipt");
        if (r) { r.setAttribute("data-receipt", "sent"); r.textContent = receiptText("sent"); }
      }
    } else if (frame.type === "receipts") {
      receipts = { delivered: frame.delivered, read: frame.read };
      applyReceipts();
    } else if (frame.type === "error") {
      if (RETRY_AFTER[frame.code]) {
        // Not stored this time (too fast, or the server could not save it): the message
        // stays in the outbox and goes again under the same id, so it is stored once.
        retryLater(RETRY_AFTER[frame.code]);
        retryNotice = frame.message;
      } else if (frame.id) {
        // The server refused this message for good: give the text back to the writer.
        var entry = outbox.filter(function (e) { return e.id === frame.id; })[0];
        dropFromOutbox(frame.id);
        var item = pendingItem(frame.id);
        if (item) item.parentNode.removeChild(item);
        if (entry && !textarea.value) textarea.value = entry.body;
      }
      say(frame.message);
    } else if (frame.type === "deleted") {
      outbox = [];
      saveOutbox();
      say(texts.deleted);
      form.hidden = true;
    }
  }

  var pinger = null;

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + path);
    socket.onopen = function () {
      connected = true;
      attempts = 0;
      say("");
      socket.send(JSON.stringify({ type: "hello", after: lastSeq }));
      flush();
    };
    // Now and then ask for anything the server may have had no chance to announce
    // (an event lost under load): the answer brings it, or only a "pong".
    window.clearInterval(pinger);
    pinger = window.setInterval(function () {
      if (connected) socket.send(JSON.stringify({ type: "ping" }));
    }, 30000);
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = function (event) {
      connected = false;
      if (event.code === 4404 || event.code === 4401) {
        say(event.code === 4404 ? texts.deleted : texts.expired);
        return;
      }
      say(texts.offline);
      attempts += 1;
      var delay = Math.min(30000, 500 * Math.pow(2, Math.min(attempts, 6))) + Math.random() * 500;
      window.setTimeout(connect, delay);
    };
  }

  // A file goes over HTTP (the socket carries text only), with the form's own client id,
  // so pressing Send again after a failure cannot store it twice. The form is cleared
  // only once the server has stored it; the message itself then arrives over the socket.
  function upload(fileInput) {
    var id = idInput.value;
    var label = textarea.value + (textarea.value ? "\n" : "") + "📎 " + fileInput.files[0].name;
    removeEmptyHint();
    var item = buildItem({ sender: texts.side, own: true, body: label, client_id: id });
    thread.appendChild(item);
    say(texts.uploading);
    var settle = function () { if (item.parentNode && !item.hasAttribute("data-seq")) item.parentNode.removeChild(item); };
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      if (result.status === 200) {
        textarea.value = "";
        fileInput.value = "";
        idInput.value = newId();
        say("");
        return;
      }
      settle();
      if (result.answer.errors) {
        var messages = [];
        for (var field in result.answer.errors) messages = messages.concat(result.answer.errors[field]);
        say(messages.join(" "));
      } else {
        say(result.answer.message || texts.upload_failed);
      }
    }).catch(function () {
      settle();
      say(texts.upload_failed);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var fileInput = form.querySelector("input[type=file]");
    if (fileInput && fileInput.files && fileInput.files.length && window.fetch && window.FormData) {
      upload(fileInput);
      return;
    }
    var body = textarea.value;
    if (!body.replace(/\s/g, "")) {
      // The second click of a double click finds the box already emptied by the first:
      // the message is on its way, so there is nothing to complain about.
      if (Date.now() - lastQueuedAt > 1500) say(texts.empty);
      textarea.focus();
      return;
    }
    lastQueuedAt = Date.now();
    var id = idInput && idInput.value ? idInput.value : newId();
    outbox.push({ id: id, body: body });
    saveOutbox();
    removeEmptyHint();
    thread.appendChild(buildItem({ sender: texts.side, own: true, body: body, client_id: id }));
    textarea.value = "";
    if (idInput) idInput.value = newId();
    say(connected ? "" : texts.offline);
    flush();
    textarea.focus();
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") sendSeen();
  });

  // Messages left in the outbox by a reload or a lost connection are shown as pending.
  for (var i = 0; i < outbox.length; i++) {
    if (!thread.querySelector('li[data-client-id="' + outbox[i].id + '"]')) {
      removeEmptyHint();
      thread.appendChild(buildItem({ sender: texts.side, own: true, body: outbox[i].body, client_id: outbox[i].id }));
    }
  }
  connect();
})();

// The demo page: buttons that call analytics.js, and the calls the Worker planned for them,
// polled from GET /demo/calls?after=N (host-shims/demo/dry_run.mjs).
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var val = function (id) { return $(id).value.trim(); };
  var status = $("status");

  analytics.ready(function () {
    status.textContent = "analytics.js " + analytics.VERSION + " loaded from " + AJS_CDN +
      "; its settings say: send to " + location.host + ". Click a button.";
    status.className = "status ok";
  });

  // Before analytics.js has loaded, the snippet queues the call and returns no promise.
  function sent(what, result) {
    var done = function () { status.textContent = what + " sent to " + location.host + ": see the planned calls"; };
    if (result && typeof result.then === "function") result.then(done);
  }
  $("identify").onclick = function () {
    sent("identify", analytics.identify(val("userId"), { email: val("email"), name: val("name") }));
  };
  $("track").onclick = function () {
    sent("track", analytics.track(val("event"), { plan: "pro" }));
  };
  $("group").onclick = function () {
    sent("group", analytics.group(val("groupId"), { name: val("company"), plan: "enterprise" }));
  };
  $("page").onclick = function () {
    sent("page", analytics.page(val("pageName")));
  };

  var LABELS = { gist: "Gist", gainsight: "Gainsight", gainsightPx: "Gainsight PX", capture: "Capture" };
  var next = 0;
  var total = 0;
  function show(call) {
    var li = document.createElement("li");
    li.className = "call " + call.destination;
    var head = document.createElement("div");
    head.className = "head";
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = LABELS[call.destination] || call.destination;
    var line = document.createElement("code");
    line.textContent = call.method + " " + call.url;
    head.appendChild(badge);
    head.appendChild(line);
    var headers = document.createElement("div");
    headers.className = "headers";
    headers.textContent = Object.keys(call.headers || {}).map(function (h) { return h + ": " + call.headers[h]; }).join("  ·  ");
    var body = document.createElement("pre");
    body.textContent = typeof call.body === "string" ? call.body : JSON.stringify(call.body, null, 2);
    li.appendChild(head);
    li.appendChild(headers);
    li.appendChild(body);
    $("calls").insertBefore(li, $("calls").firstChild);
    $("count").textContent = String(++total);
  }
  function poll() {
    fetch("/demo/calls?after=" + next, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { data.calls.forEach(show); next = data.next; })
      .catch(function () {})
      .then(function () { setTimeout(poll, 1000); });
  }
  // Start after the calls made before this page opened, so the list shows this visit's.
  fetch("/demo/calls?after=" + Number.MAX_SAFE_INTEGER, { cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (data) { next = data.next; }, function () {})
    .then(poll);

  // Every host this page talked to (Resource Timing): only this Worker.
  var hosts = {};
  function note(entries) {
    entries.forEach(function (e) {
      var host = new URL(e.name, location.href).host;
      hosts[host] = (hosts[host] || 0) + 1;
    });
    $("hosts").innerHTML = "";
    Object.keys(hosts).forEach(function (h) {
      var li = document.createElement("li");
      li.textContent = h + " — " + hosts[h] + " request" + (hosts[h] === 1 ? "" : "s");
      $("hosts").appendChild(li);
    });
  }
  note(performance.getEntriesByType("resource"));
  if (window.PerformanceObserver) new PerformanceObserver(function (l) { note(l.getEntries()); }).observe({ type: "resource" });
})();

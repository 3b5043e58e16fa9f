// The app's only script and stylesheet, served as files of this origin (/static/app.js,
// /static/app.css) so the CSP can forbid inline script and style. The script only ever writes
// text (textContent), never markup.

export const APP_JS = `'use strict';
// Copy buttons (a file's SHA-256): the value is the button's data-copy attribute, copied as text.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll('button.copy[data-copy]'), function (button) {
    button.addEventListener('click', function () {
      var value = button.dataset.copy;
      var done = function () {
        button.classList.add('copied');
        button.textContent = 'Copied';
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(value).then(done, function () {});
    });
  });
})();
// Live progress of a job page: follows the job's event stream, appends each event as text,
// and links the cases (traced, message) when the job is done.
(function () {
  var list = document.getElementById('job-events');
  if (!list || list.dataset.finished === 'yes' || !window.EventSource) return;
  var state = document.getElementById('job-state');
  var result = document.getElementById('job-result');
  var errorBox = document.getElementById('job-error');
  var seen = {};
  Array.prototype.forEach.call(list.querySelectorAll('li[data-seq]'), function (li) {
    seen[li.dataset.seq] = true;
    if (li.dataset.merged) seen[li.dataset.merged] = true;
  });
  var source = new EventSource(list.dataset.stream);
  // A hop and its exchange make one line (see the job page's view): the exchange completes the hop's line.
  var hopLines = {};
  // An exchange that came before its hop (a quick redirect finished by the proxy before the
  // browser's report of the request): the hop, when it comes, takes over its line.
  var exchangeLines = {};
  Array.prototype.forEach.call(list.querySelectorAll('li[data-seq]'), function (li) {
    if (li.dataset.hopUrl) hopLines[li.dataset.hopUrl] = li;
    var shown = li.querySelector('.event-kind').textContent === 'exchange' && /^(\\S+) (\\S+) (.*)$/.exec(li.querySelector('.event-detail').textContent);
    if (shown) exchangeLines[shown[3].split('#')[0]] = li;
  });
  source.addEventListener('progress', function (message) {
    var event = JSON.parse(message.data);
    if (seen[event.seq]) return;
    seen[event.seq] = true;
    if (event.kind === 'exchange') {
      var parts = /^(\\S+) (\\S+) (.*)$/.exec(event.detail);
      var pending = parts && hopLines[parts[3].split('#')[0]];
      if (pending && !pending.dataset.status) {
        pending.dataset.status = parts[1];
        pending.querySelector('.event-detail').textContent = parts[1] + ' ' + parts[2] + ' ' + parts[3];
        return;
      }
    }
    var early = event.kind === 'hop' && exchangeLines[event.detail.split('#')[0]];
    if (early) {
      delete exchangeLines[event.detail.split('#')[0]];
      early.dataset.merged = early.dataset.seq;
      early.dataset.seq = String(event.seq);
      early.dataset.hopUrl = event.detail.split('#')[0];
      early.dataset.status = early.querySelector('.event-detail').textContent.split(' ')[0];
      early.querySelector('.event-kind').textContent = 'hop';
      hopLines[early.dataset.hopUrl] = early;
      return;
    }
    var li = document.createElement('li');
    li.dataset.seq = String(event.seq);
    var kind = document.createElement('span');
    kind.className = 'event-kind';
    kind.textContent = event.kind;
    var detail = document.createElement('span');
    detail.className = 'event-detail';
    detail.textContent = event.detail;
    li.append(kind, ' ', detail);
    if (event.kind === 'hop') {
      li.dataset.hopUrl = event.detail.split('#')[0];
      hopLines[li.dataset.hopUrl] = li;
    }
    if (event.kind === 'exchange' && parts) exchangeLines[parts[3].split('#')[0]] = li;
    list.append(li);
  });
  source.addEventListener('state', function (message) {
    var job = JSON.parse(message.data);
    state.textContent = job.state;
    state.dataset.state = job.state;
    state.className = 'state state-' + job.state;
    // The place in the queue was true while the job waited; it is not any more.
    var place = document.getElementById('queue-place');
    if (place && job.state !== 'queued') place.remove();
    if (job.error) {
      errorBox.textContent = job.error;
      errorBox.classList.remove('hidden');
    }
    if (job.state !== 'done' && job.state !== 'failed' && job.state !== 'cancelled') return;
    // Nothing is left to cancel.
    var cancel = document.getElementById('job-cancel');
    if (cancel) cancel.remove();
    source.close();
    list.dataset.finished = 'yes';
    // As the job page shows a finished job: the traced case and the message case, each when there is one.
    var parts = [];
    if (job.caseId) parts.push('Case: ', caseLink(job.caseId, 'job-case-link'), job.partial ? ' (partial: its trace was cut off) ' : ' ');
    if (job.messageCaseId) parts.push('Message: ', caseLink(job.messageCaseId, 'job-message-link'));
    if (parts.length === 0) return;
    result.textContent = '';
    result.append.apply(result, parts);
  });
  function caseLink(id, elementId) {
    var link = document.createElement('a');
    link.className = 'case-link';
    link.id = elementId;
    link.href = '/cases/' + encodeURIComponent(id);
    link.textContent = id;
    return link;
  }
  source.addEventListener('end', function () {
    source.close();
  });
  source.addEventListener('error', function () {
    if (list.dataset.finished === 'yes') source.close();
  });
})();
`;

export const APP_CSS = `:root { --ink: #1d2330; --muted: #667085; --line: #d6dae3; --bg: #f6f7fa; --accent: #2550b8; --bad: #b42318; --good: #067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; gap: 2rem; align-items: center; padding: .6rem 1.5rem; background: #121826; }
header.top a { color: #fff; text-decoration: none; margin-right: 1rem; }
.brand { font-weight: 700; letter-spacing: .02em; }
/* Captured text (titles, URLs, hosts, headers) may be one run of thousands of characters: it wraps
   anywhere rather than widening its table or box past the page. */
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 4rem; overflow-wrap: anywhere; }
/* ...while the app's own short words (headings, times, states, ids, status codes, party names) keep
   their width, so a table column of them is not squeezed to a letter by a long title beside it. */
th, time, .state, .status, .kind, .flag, .via, .party, .case-link, .case-id-small, td.num { overflow-wrap: normal; }
time, .status, .case-link { white-space: nowrap; }
section { margin-top: 1.8rem; }
h1 code { font-size: .8em; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, monospace; font-size: .88em; }
code.url { word-break: break-all; }
pre { white-space: pre-wrap; word-break: break-all; background: #fff; border: 1px solid var(--line); padding: .6rem; max-height: 28rem; overflow: auto; }
.muted { color: var(--muted); }
.hidden { display: none; }
.notice { padding: .6rem .8rem; border-radius: 6px; background: #fff; border: 1px solid var(--line); }
.notice.error, .error { color: var(--bad); }
.notice.error { border-color: var(--bad); background: #fef3f2; }
form.submit, form.filters { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
form.submit label { display: block; margin: .6rem 0; }
form.submit input[name=url], form.submit textarea { display: block; width: 100%; padding: .45rem; font: inherit; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; }
form.filters input { display: block; width: 11rem; padding: .3rem; }
button { padding: .45rem 1rem; font: inherit; cursor: pointer; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th.num, td.num { text-align: right; }
.network-source, .data-attribution { color: var(--muted); font-size: .9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; padding: .8rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-weight: 600; background: #eef; }
.status-2xx { background: #dcfae6; color: var(--good); }
.status-3xx { background: #e0eaff; color: #2d4fa8; }
.status-4xx, .status-5xx, .status-none { background: #fee4e2; color: var(--bad); }
.party { display: inline-block; margin: .1rem .2rem; padding: .05rem .5rem; border-radius: 999px; border: 1px solid var(--line);
  background: #f2f4f7; text-decoration: none; color: var(--ink); }
.party-role { font-size: .8em; color: var(--muted); }
.role-esp-tracker { background: #fef0c7; border-color: #fdb022; }
.role-advertiser { background: #d1fadf; border-color: #32d583; }
.role-destination { background: #f2f4f7; border-color: #667085; }
.role-security-wrapper { background: #e0f2fe; border-color: #36bffa; }
.role-affiliate-network, .role-ad-network { background: #fbe8ff; border-color: #d444f1; }
.role-shortener, .role-redirector { background: #eaecf5; border-color: #98a2b3; }
.kind, .state, .via, .flag { display: inline-block; font-size: .8em; padding: 0 .4rem; border-radius: 4px; background: #eaecf0; }
.state-done { background: #dcfae6; } .state-failed { background: #fee4e2; } .state-running { background: #fef0c7; }
.state-invalid { background: #fee4e2; } .state-duplicate { background: #eaecf5; }
.batch-shows a, .batch-shows strong { margin-right: .5rem; }
details.feed-more summary { cursor: pointer; color: var(--muted); }
/* Names and details break anywhere (a hostile 250-character domain stays in the page) but not below a word's width. */
td.feed-label { min-width: 18ch; } td.feed-detail { min-width: 13ch; }
.flag-bad { color: var(--bad); }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1.2rem; border-left: 3px solid var(--line); }
li.hop { position: relative; margin: 0 0 1rem; padding: .6rem .8rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
li.hop::before { content: ''; position: absolute; left: -1.75rem; top: .9rem; width: .8rem; height: .8rem; border-radius: 50%; background: var(--accent); }
.hop-head { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.hop-index { font-weight: 700; }
.via { background: #e0eaff; }
.hop-url { margin-top: .3rem; }
.evidence { color: var(--muted); margin: .3rem 0; word-break: break-all; }
dl.hop-facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0 0; font-size: .9em; }
dl.hop-facts dt { color: var(--muted); } dl.hop-facts dd { margin: 0; word-break: break-all; }
.tls-ok { color: var(--good); } .tls-bad { color: var(--bad); }
.summary { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 8px; padding: .2rem 1rem .6rem; }
.summary-text { font-weight: 600; }
.result-head { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr); gap: 1.2rem; align-items: start; }
@media (max-width: 900px) { .result-head { grid-template-columns: 1fr; } }
.verdict { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.verdict .summary { border: 0; border-left: 4px solid var(--accent); padding: 0 .8rem; margin: .6rem 0; }
.verdict h2 { font-size: 1rem; margin: .2rem 0; }
.hero { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
img.hero-shot { display: block; width: 100%; height: auto; border: 1px solid var(--line); }
ul.flags { list-style: none; padding: 0; margin: .6rem 0; }
li.verdict-flag { margin: .3rem 0; padding: .35rem .6rem; border-radius: 6px; border: 1px solid var(--line); }
li.flag-high { background: #fef3f2; border-color: #fda29b; }
li.flag-warn { background: #fffaeb; border-color: #fec84b; }
.flag-title { margin-right: .4rem; }
.flag-hop { font-size: .85em; margin-left: .3rem; }
.integrity { margin: .6rem 0; padding: .35rem .6rem; border-radius: 6px; font-size: .92em; }
.integrity p { margin: 0; }
.integrity-verified { background: #ecfdf3; border: 1px solid #75e0a7; }
.integrity-tampered { background: #fef3f2; border: 2px solid var(--bad); color: var(--bad); }
.integrity-unknown { background: #f2f4f7; border: 1px solid var(--line); }
.trace-options { font-size: .88em; }
ol.shot-strip { list-style: none; display: flex; gap: .8rem; overflow-x: auto; padding: .2rem 0 .6rem; margin: 0; }
li.strip-item { flex: 0 0 auto; width: 220px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .4rem; font-size: .85em; }
li.strip-item img { width: 100%; height: 140px; object-fit: cover; object-position: top; border: 1px solid var(--line); display: block; }
.strip-caption { display: block; margin: .2rem 0; word-break: break-word; }
.lightbox { display: none; }
.lightbox:target { display: block; position: fixed; inset: 0; z-index: 10; background: rgba(16, 24, 40, .85); overflow: auto; padding: 2rem; }
.lightbox figure { margin: 0 auto; max-width: 1400px; background: #fff; padding: .5rem; border-radius: 8px; }
.lightbox img { width: 100%; height: auto; display: block; }
.lightbox-close { position: fixed; top: .6rem; right: 1.2rem; color: #fff; font-size: 2rem; text-decoration: none; }
.drawing { overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .4rem; max-height: 48rem; }
.drawing img { max-width: none; display: block; }
table.files code.url { font-size: .8em; }
button.copy { padding: .1rem .5rem; font-size: .8em; margin-left: .4rem; }
button.copy.copied { background: #dcfae6; }
.case-primary { font-weight: 600; }
.case-id-small { font-size: .8em; color: var(--muted); }
.error-reason { color: var(--bad); font-size: .88em; }
.queue-place { font-weight: 600; }
form.retry { display: inline; margin: 0; } form.retry button { padding: .1rem .6rem; }
form.cancel { margin: .6rem 0; } form.cancel button { padding: .1rem .6rem; } .cancel-note { color: var(--muted); font-size: .85em; }
.state-cancelled { background: #eaecf0; }
.retry-note, .no-retry { color: var(--muted); font-size: .85em; }
.shots { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.shot { margin: 0; width: 360px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; }
figure.shot img { width: 100%; border: 1px solid var(--line); }
.compare-shots { flex-wrap: nowrap; overflow-x: auto; align-items: flex-start; }
.compare-shots figure.shot { flex: 0 0 220px; width: 220px; }
.compare-shots figure.shot img { height: 260px; object-fit: contain; object-position: top; background: #f4f4f4; }
.compare-shots figcaption { word-break: break-all; }
figure.shot.diverges { border: 3px solid var(--bad); }
.diverges-label { color: var(--bad); font-weight: 600; }
.verdict-cloaked, .verdict-single-use { border-left-color: var(--bad); }
tr.pair-diverges td { background: #fff4f2; }
.chains { display: flex; gap: 1rem; overflow-x: auto; }
.chain-column { flex: 0 0 260px; font-size: .9em; word-break: break-all; }
details.exchange { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; padding: .3rem .6rem; }
details.exchange summary { cursor: pointer; word-break: break-all; }
.pivot-heading { font-size: 1.1em; }
.events { font-size: .9em; }
.event-kind { display: inline-block; min-width: 5.5rem; color: var(--muted); }
`;

// The app's only script and stylesheet, served as files of this origin (/static/app.js,
// /static/app.css) so the CSP can forbid inline script and style. The script only ever writes
// text (textContent), never markup.

export const APP_JS = `'use strict';
// Live progress of a job page: follows the job's event stream, appends each event as text,
// and links the cases (traced, message) when the job is done.
(function () {
  var list = document.getElementById('job-events');
  if (!list || list.dataset.finished === 'yes' || !window.EventSource) return;
  var state = document.getElementById('job-state');
  var result = document.getElementById('job-result');
  var errorBox = document.getElementById('job-error');
  var seen = {};
  Array.prototype.forEach.call(list.querySelectorAll('li[data-seq]'), function (li) { seen[li.dataset.seq] = true; });
  var source = new EventSource(list.dataset.stream);
  source.addEventListener('progress', function (message) {
    var event = JSON.parse(message.data);
    if (seen[event.seq]) return;
    seen[event.seq] = true;
    var li = document.createElement('li');
    li.dataset.seq = String(event.seq);
    var kind = document.createElement('span');
    kind.className = 'event-kind';
    kind.textContent = event.kind;
    var detail = document.createElement('span');
    detail.className = 'event-detail';
    detail.textContent = event.detail;
    li.append(kind, ' ', detail);
    list.append(li);
  });
  source.addEventListener('state', function (message) {
    var job = JSON.parse(message.data);
    state.textContent = job.state;
    state.dataset.state = job.state;
    state.className = 'state state-' + job.state;
    if (job.error) {
      errorBox.textContent = job.error;
      errorBox.classList.remove('hidden');
    }
    if (job.state !== 'done' && job.state !== 'failed') return;
    source.close();
    list.dataset.finished = 'yes';
    // As the job page shows a finished job: the traced case and the message case, each when there is one.
    var parts = [];
    if (job.caseId) parts.push('Case: ', caseLink(job.caseId, 'job-case-link'), ' ');
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
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
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
form.submit input[type=url], form.submit textarea { display: block; width: 100%; padding: .45rem; font: inherit; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; }
form.filters input { display: block; width: 11rem; padding: .3rem; }
button { padding: .45rem 1rem; font: inherit; cursor: pointer; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th.num, td.num { text-align: right; }
.network-source, .data-attribution { color: var(--muted); font-size: .9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-weight: 600; background: #eef; }
.status-2xx { background: #dcfae6; color: var(--good); }
.status-3xx { background: #e0eaff; color: #2d4fa8; }
.status-4xx, .status-5xx, .status-none { background: #fee4e2; color: var(--bad); }
.party { display: inline-block; margin: .1rem .2rem; padding: .05rem .5rem; border-radius: 999px; border: 1px solid var(--line); background: #f2f4f7; text-decoration: none; color: var(--ink); }
.party-role { font-size: .8em; color: var(--muted); }
.role-esp-tracker { background: #fef0c7; border-color: #fdb022; }
.role-advertiser { background: #d1fadf; border-color: #32d583; }
.role-security-wrapper { background: #e0f2fe; border-color: #36bffa; }
.role-affiliate-network, .role-ad-network { background: #fbe8ff; border-color: #d444f1; }
.role-shortener, .role-redirector { background: #eaecf5; border-color: #98a2b3; }
.kind, .state, .via, .flag { display: inline-block; font-size: .8em; padding: 0 .4rem; border-radius: 4px; background: #eaecf0; }
.state-done { background: #dcfae6; } .state-failed { background: #fee4e2; } .state-running { background: #fef0c7; }
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

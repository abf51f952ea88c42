// Settings → Enterprise Key Management, and the tenant's recent jobs.
// Every value shown comes from the JSON API; nothing is kept but the API key and tenant id,
// in sessionStorage (this tab only, gone when it closes).

import { connect, Problem } from './api.js';
import { headingOf } from './problems.js';

const $ = (id) => document.getElementById(id);
const storage = window.sessionStorage;
const keyItem = 'ekm.console.apiKey';
const tenantItem = 'ekm.console.tenantId';
const jobPollMs = 1000;

let api = null;
let vendorLoaded = false; // the vendor account and policy statement, read once per sign-in
let generation = 0; // bumped on sign-out, so late answers and timers of the old session are dropped
let jobsTimer = 0;

// ---- small helpers -------------------------------------------------------------------------

function show(element, visible) {
  element.hidden = !visible;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function timeElement(iso, fallback) {
  const node = el('time', '', iso ? formatTime(iso) : fallback);
  if (iso) {
    node.dateTime = iso;
  }
  return node;
}

function asProblem(error) {
  return error instanceof Problem
    ? error
    : new Problem({ type: 'internal-error', detail: String(error?.message || error) }, 0);
}

/** A refusal, in words: what happened (heading), the service's sentence, and the slug to quote to support. */
function showProblem(target, error) {
  const problem = asProblem(error);
  const slug = el('p', 'slug', 'Reason: ');
  slug.append(el('code', '', problem.type || String(problem.status)));
  target.className = 'result error';
  target.replaceChildren(el('p', 'heading', headingOf(problem.type, problem.title)), el('p', 'detail', problem.detail), slug);
}

function showMessage(target, text, kind = 'ok') {
  target.className = `result ${kind}`;
  target.replaceChildren(...(text ? [el('p', '', text)] : []));
}

async function busy(buttons, action) {
  for (const button of buttons) {
    button.disabled = true;
  }
  try {
    return await action();
  } finally {
    for (const button of buttons) {
      button.disabled = false;
    }
  }
}

async function copyText(text, result) {
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
  }
  if (!copied) {
    // Older browsers, or a page served over plain HTTP to a remote address (no secure context).
    const area = el('textarea', 'offscreen');
    area.value = text;
    area.setAttribute('readonly', '');
    document.body.append(area);
    area.select();
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    area.remove();
  }
  result.textContent = '';
  result.textContent = copied ? 'Copied' : 'Could not copy: select the text and copy it yourself.';
}

// ---- sign in and out ----------------------------------------------------------------------

function signedIn() {
  const apiKey = storage.getItem(keyItem);
  const tenantId = storage.getItem(tenantItem);
  return apiKey && tenantId ? { apiKey, tenantId } : null;
}

async function signIn(event) {
  event.preventDefault();
  const apiKey = $('api-key').value.trim();
  const tenantId = $('tenant-id').value.trim();
  const result = $('sign-in-result');
  if (!apiKey || !tenantId) {
    showMessage(result, 'Enter both the API key and the tenant id.', 'error');
    return;
  }

  showMessage(result, 'Signing in…', 'pending');
  const candidate = connect(apiKey, tenantId);
  try {
    const status = await busy([event.submitter ?? $('sign-in-form').querySelector('button')], () => candidate.status());
    storage.setItem(keyItem, apiKey);
    storage.setItem(tenantItem, tenantId);
    $('api-key').value = '';
    showMessage(result, '');
    await enter(candidate, tenantId, status);
  } catch (error) {
    showProblem(result, error);
  }
}

function signOut(message) {
  generation++;
  clearTimeout(jobsTimer);
  storage.removeItem(keyItem);
  storage.removeItem(tenantItem);
  api = null;
  vendorLoaded = false;
  for (const dialog of document.querySelectorAll('dialog[open]')) {
    dialog.close();
  }
  show($('workspace'), false);
  show($('session'), false);
  show($('sign-in'), true);
  if (message) {
    showProblem($('sign-in-result'), message);
  }
  $('api-key').focus();
}

async function enter(connection, tenantId, status) {
  api = connection;
  $('session-tenant').textContent = tenantId;
  show($('sign-in'), false);
  show($('session'), true);
  show($('workspace'), true);
  await Promise.all([status ? renderEkm(status) : loadEkm(), loadJobs()]);
}

/** A key that stopped working mid-session sends the user back to sign in, saying why. */
function sessionLost(error) {
  if (error instanceof Problem && error.status === 401) {
    signOut(error);
    return true;
  }
  return false;
}

// ---- Enterprise Key Management ------------------------------------------------------------

async function loadEkm() {
  const mine = generation;
  showMessage($('ekm-loading'), 'Loading…', 'pending');
  try {
    const status = await api.status();
    if (mine === generation) {
      await renderEkm(status);
    }
  } catch (error) {
    if (mine === generation && !sessionLost(error)) {
      showProblem($('ekm-loading'), error);
    }
  }
}

async function renderEkm(status) {
  const enabled = status.mode === 'EnterpriseKeyManagement';
  // A tenant already on its own key keeps seeing it, even if support later withdraws availability.
  const visible = Boolean(status.availability?.activated) || enabled;
  show($('ekm-unavailable'), !visible);
  show($('ekm-controls'), visible);
  if (!visible) {
    showMessage($('ekm-loading'), '');
    return;
  }

  $('status-line').textContent = status.statusLine;
  $('status-line').dataset.mode = status.mode;
  $('key-arn').textContent = status.keyArn ?? '';
  show($('key-arn-row'), Boolean(status.keyArn));
  $('pending-arn').textContent = status.pendingKeyArn ?? '';
  show($('pending-row'), Boolean(status.pendingKeyArn));
  const terms = status.terms;
  $('terms-accepted').textContent = terms
    ? `Version ${terms.version}, by ${terms.acceptedBy}, ${formatTime(terms.acceptedAt)}`
    : '';
  show($('terms-row'), Boolean(terms));
  const retired = status.retiredKeys ?? [];
  $('retired-keys').replaceChildren(...retired.map((sentence) => el('li', '', sentence)));
  show($('retired-keys'), retired.length > 0);
  show($('enable-open'), !enabled);
  show($('update-open'), enabled);
  show($('health'), enabled);
  if (enabled) {
    renderHealth(status.health);
  }

  await loadVendorDetails();
  showMessage($('ekm-loading'), '');
}

/** The account id and policy statement do not change while the page is open: read them once. */
async function loadVendorDetails() {
  if (vendorLoaded) {
    return;
  }
  const mine = generation;
  try {
    const [account, policy] = await Promise.all([api.vendorAccount(), api.keyPolicy()]);
    if (mine !== generation) {
      return;
    }
    $('vendor-account').textContent = account.accountId;
    $('policy-instructions').textContent = policy.instructions;
    // The statements as they go into the policy's "Statement" list: objects separated by commas.
    $('policy-statement').textContent = policy.statements.map((s) => JSON.stringify(s, null, 2)).join(',\n');
    vendorLoaded = true;
  } catch (error) {
    if (mine === generation && !sessionLost(error)) {
      showProblem($('ekm-loading'), error);
    }
  }
}

const healthWords = {
  Healthy: 'Healthy: the service can use your key.',
  Revoked: 'Revoked: the service cannot use your key, so backups, restores and downloads stop.',
  Unavailable: 'Unavailable: AWS KMS did not answer the last check; the key itself may be fine.',
  NotChecked: 'Not checked yet.',
};

function renderHealth(health) {
  const status = health?.status ?? 'NotChecked';
  const line = $('health-status');
  line.dataset.status = status;
  line.replaceChildren(el('strong', '', healthWords[status] ?? status));
  if (health?.reason) {
    const reason = el('span', 'reason', ` ${headingOf(health.reason)} (`);
    reason.append(el('code', '', health.reason), ')');
    if (health.since) {
      reason.append(' since ', timeElement(health.since));
    }
    line.append(reason);
  }
  const checked = $('health-checked');
  checked.textContent = health?.checkedAt ? formatTime(health.checkedAt) : 'never';
  if (health?.checkedAt) {
    checked.dateTime = health.checkedAt;
  } else {
    checked.removeAttribute('datetime');
  }
}

async function checkHealth() {
  const result = $('health-result');
  showMessage(result, 'Checking the key with AWS KMS…', 'pending');
  try {
    const health = await busy([$('check-now')], () => api.checkHealth());
    renderHealth(health);
    showMessage(result, `Checked ${formatTime(health.checkedAt)}.`, health.status === 'Healthy' ? 'ok' : 'error');
  } catch (error) {
    if (!sessionLost(error)) {
      showProblem(result, error);
    }
  }
}

// ---- the key dialogs: validate, then save ------------------------------------------------------

/**
 * One key-ARN form in a dialog: Validate runs every check and saves nothing; Save is offered only
 * for the ARN that just passed (editing the field withdraws it).
 */
function keyForm({ input, validate, save, result }) {
  let validated = null;
  const reset = () => {
    validated = null;
    save.disabled = true;
  };
  input.addEventListener('input', () => {
    reset();
    showMessage(result, '');
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      validate.click();
    }
  });
  validate.addEventListener('click', async () => {
    reset();
    const asked = input.value.trim();
    showMessage(result, 'Checking the key with AWS KMS…', 'pending');
    try {
      const check = await busy([validate], () => api.validate(asked));
      if (input.value.trim() !== asked) {
        return; // edited while we asked: this answer is about another ARN
      }
      validated = check.keyArn;
      result.className = 'result ok';
      result.replaceChildren(
        el('p', 'heading', 'The key passed every check'),
        el('p', 'detail', `${check.keyArn} — ${check.keySpec}, ${check.keyUsage}, ${check.keyState}.`));
      save.disabled = false;
    } catch (error) {
      if (!sessionLost(error) && input.value.trim() === asked) {
        showProblem(result, error);
      }
    }
  });
  return {
    open() {
      input.value = '';
      reset();
      showMessage(result, '');
    },
    get keyArn() {
      return validated;
    },
  };
}

const enableForm = keyForm({ input: $('enable-arn'), validate: $('enable-validate'), save: $('enable-save'), result: $('enable-result') });
const updateForm = keyForm({ input: $('update-arn'), validate: $('update-validate'), save: $('update-save'), result: $('update-result') });
let termsVersion = null;

function openEnable() {
  enableForm.open();
  termsVersion = null;
  show($('enable-step-key'), true);
  show($('enable-step-terms'), false);
  $('enable-dialog').showModal();
  $('enable-arn').focus();
}

async function showTerms() {
  try {
    const terms = await busy([$('enable-save')], () => api.terms());
    termsVersion = terms.version;
    $('terms-version').textContent = terms.version;
    $('terms-text').replaceChildren(...terms.text.split(/\n{2,}/).map((paragraph) => el('p', '', paragraph)));
    showMessage($('terms-result'), '');
    show($('enable-step-key'), false);
    show($('enable-step-terms'), true);
    $('terms-agree').focus();
  } catch (error) {
    if (!sessionLost(error)) {
      showProblem($('enable-result'), error);
    }
  }
}

async function agree() {
  const result = $('terms-result');
  showMessage(result, 'Enabling Enterprise Key Management…', 'pending');
  try {
    const status = await busy([$('terms-agree')], () => api.enable(enableForm.keyArn, termsVersion));
    $('enable-dialog').close();
    await renderEkm(status);
    $('status-line').focus();
  } catch (error) {
    if (!sessionLost(error)) {
      showProblem(result, error);
    }
  }
}

function openUpdate() {
  updateForm.open();
  $('update-dialog').showModal();
  $('update-arn').focus();
}

async function saveUpdate() {
  const result = $('update-result');
  showMessage(result, 'Moving the tenant key to the new key…', 'pending');
  try {
    const status = await busy([$('update-save')], () => api.updateKey(updateForm.keyArn));
    $('update-dialog').close();
    await renderEkm(status);
    $('status-line').focus();
  } catch (error) {
    if (!sessionLost(error)) {
      showProblem(result, error);
    }
  }
}

// ---- jobs ---------------------------------------------------------------------------------------

const running = (state) => state === 'Queued' || state === 'Running';

async function loadJobs() {
  const mine = generation;
  clearTimeout(jobsTimer);
  let recent;
  try {
    recent = await api.jobs();
  } catch (error) {
    if (mine === generation && !sessionLost(error)) {
      const problem = asProblem(error);
      $('jobs-unavailable').textContent = problem.status === 404 || problem.status === 405
        ? 'Recent jobs are unavailable: this version of the service does not list them.'
        : `Recent jobs are unavailable: ${headingOf(problem.type, problem.title)}. ${problem.detail}`;
      show($('jobs-unavailable'), true);
      show($('jobs-table'), false);
      show($('jobs-empty'), false);
    }
    return;
  }
  if (mine !== generation) {
    return;
  }

  show($('jobs-unavailable'), false);
  const jobs = recent.jobs ?? [];
  $('jobs-rows').replaceChildren(...jobs.map(jobRow));
  show($('jobs-table'), jobs.length > 0);
  show($('jobs-empty'), jobs.length === 0);

  const failures = Object.entries(recent.failuresByReason ?? {}).sort((a, b) => b[1] - a[1]);
  $('failures').replaceChildren(...failures.map(([slug, count]) => {
    const item = el('li');
    item.dataset.reason = slug;
    item.append(el('code', '', slug), ` ${headingOf(slug)}: `, el('strong', 'count', String(count)));
    return item;
  }));
  show($('failures-none'), failures.length === 0);

  if (jobs.some((job) => running(job.state))) {
    jobsTimer = setTimeout(loadJobs, jobPollMs);
  }
}

function jobRow(job) {
  const row = el('tr');
  row.dataset.jobId = job.jobId;
  const state = el('td', 'state', job.state);
  state.dataset.state = job.state;
  const failure = el('td');
  if (job.failureSlug) {
    failure.append(el('code', '', job.failureSlug), ` ${headingOf(job.failureSlug)}`);
  }
  const started = el('td');
  started.append(timeElement(job.createdAt, ''));
  const finished = el('td');
  finished.append(timeElement(job.finishedAt, ''));
  row.append(
    started,
    el('td', '', `${job.kind} · ${job.product} · ${job.variant}`),
    state,
    el('td', 'number', `${job.operationsDone} / ${job.operationsTotal}`),
    failure,
    finished);
  return row;
}

function describeJob(job) {
  const name = `${job.spec?.kind ?? 'Job'} ${job.jobId.slice(0, 8)}`;
  const progress = `${job.operationsDone} of ${job.operationsTotal} operations`;
  if (job.state === 'Failed') {
    return `${name}: Failed after ${progress}. ${headingOf(job.failureSlug)} (${job.failureSlug}).`;
  }
  return `${name}: ${job.state}, ${progress}.`;
}

/** Follows the job this page started until it ends, whether or not the service lists jobs. */
async function startBackup() {
  const result = $('backup-result');
  const mine = generation;
  showMessage(result, 'Starting a backup…', 'pending');
  try {
    let job = await busy([$('start-backup')], () => api.startJob({ kind: 'Backup', product: 'Microsoft365', variant: 'manual' }));
    showMessage(result, describeJob(job), 'pending');
    await loadJobs();
    while (running(job.state) && mine === generation) {
      await new Promise((resolve) => setTimeout(resolve, jobPollMs));
      job = await api.job(job.jobId);
      showMessage(result, describeJob(job), running(job.state) ? 'pending' : job.state === 'Succeeded' ? 'ok' : 'error');
    }
    if (mine === generation) {
      await loadJobs();
    }
  } catch (error) {
    if (mine === generation && !sessionLost(error)) {
      showProblem(result, error);
    }
  }
}

// ---- wiring -------------------------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', () => signOut());
$('copy-account').addEventListener('click', () => copyText($('vendor-account').textContent, $('copy-account-result')));
$('copy-policy').addEventListener('click', () => copyText($('policy-statement').textContent, $('copy-policy-result')));
$('enable-open').addEventListener('click', openEnable);
$('enable-save').addEventListener('click', showTerms);
$('terms-agree').addEventListener('click', agree);
$('update-open').addEventListener('click', openUpdate);
$('update-save').addEventListener('click', saveUpdate);
$('check-now').addEventListener('click', checkHealth);
$('start-backup').addEventListener('click', startBackup);
$('refresh-jobs').addEventListener('click', loadJobs);
for (const button of document.querySelectorAll('dialog [data-close]')) {
  button.addEventListener('click', () => button.closest('dialog').close());
}

const session = signedIn();
if (session) {
  $('tenant-id').value = session.tenantId;
  enter(connect(session.apiKey, session.tenantId), session.tenantId, null);
} else {
  $('api-key').focus();
}

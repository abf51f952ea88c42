// The JSON API, called with the signed-in API key. Refusals arrive as RFC 9457 problems
// (application/problem+json) whose `type` is a bare slug such as "key-access-denied".

const apiRoot = new URL('../', import.meta.url);

export class Problem extends Error {
  constructor({ type, title, detail }, status) {
    super(detail || title || `The service answered ${status}.`);
    this.type = type || '';
    this.title = title || '';
    this.detail = detail || '';
    this.status = status;
  }
}

async function call(apiKey, method, path, body) {
  const headers = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json, application/problem+json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  let response;
  try {
    response = await fetch(new URL(path, apiRoot), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      // The API answers 401 with a Basic challenge too (for the dashboard); without credentials
      // the browser hands that answer to us instead of prompting for a user name and password.
      credentials: 'omit',
    });
  } catch {
    throw new Problem({
      type: 'network-error',
      title: 'The service did not answer',
      detail: 'The request did not reach the service. Check that it is running, then retry.',
    }, 0);
  }

  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }

  if (!response.ok) {
    throw new Problem(json && typeof json === 'object'
      ? json
      : { title: response.statusText, detail: `The service answered ${response.status} ${response.statusText}.` }, response.status);
  }

  return json;
}

/** The calls the console makes, for one API key and one tenant. */
export function connect(apiKey, tenantId) {
  const tenant = `api/tenants/${encodeURIComponent(tenantId)}`;
  const get = (path) => call(apiKey, 'GET', path);
  return {
    status: () => get(`${tenant}/ekm`),
    vendorAccount: () => get('api/ekm/vendor-account'),
    keyPolicy: () => get(`${tenant}/ekm/key-policy`),
    terms: () => get('api/ekm/terms'),
    validate: (keyArn) => call(apiKey, 'POST', `${tenant}/ekm/validate`, { keyArn }),
    enable: (keyArn, termsVersion) => call(apiKey, 'POST', `${tenant}/ekm/enable`, { keyArn, acceptTerms: true, termsVersion }),
    updateKey: (keyArn) => call(apiKey, 'PUT', `${tenant}/ekm/key`, { keyArn }),
    checkHealth: () => call(apiKey, 'POST', `${tenant}/ekm/health-check`),
    jobs: () => get(`${tenant}/jobs`),
    job: (jobId) => get(`${tenant}/jobs/${encodeURIComponent(jobId)}`),
    startJob: (spec) => call(apiKey, 'POST', `${tenant}/jobs`, spec),
  };
}

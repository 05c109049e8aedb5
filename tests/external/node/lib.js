'use strict';
// Shared by the scenarios: a stripe-node client for the FakeServer named in the environment,
// soft checks that collect every mismatch, and a customer who fills the hosted pages over HTTP
// as a browser would (GET the page, POST its form, follow nothing automatically).

const Stripe = require('stripe');

function client() {
  const base = new URL(process.env.FAKE_STRIPE_URL);
  return new Stripe(process.env.FAKE_STRIPE_KEY, {
    host: base.hostname,
    port: Number(base.port),
    protocol: base.protocol.replace(':', ''),
  });
}

function describe(value) {
  if (value && value.type && value.type.startsWith('Stripe')) {
    return `${value.type} (HTTP ${value.statusCode}, code ${value.code}): ${value.message}`;
  }
  if (value instanceof Error) {
    return value.stack || String(value);
  }
  return JSON.stringify(value);
}

class Checks {
  constructor() {
    this.failures = [];
    this.passed = 0;
  }

  equal(what, expected, actual) {
    const same = JSON.stringify(expected) === JSON.stringify(actual);
    this.ok(what, same, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }

  ok(what, condition, detail) {
    if (condition) {
      this.passed += 1;
    } else {
      this.failures.push(`${what}: ${detail === undefined ? 'not true' : detail}`);
    }
  }

  // Runs one independent part of a scenario: an error stops that part only.
  async section(what, body) {
    try {
      await body();
    } catch (err) {
      this.failures.push(`${what}: stopped by ${describe(err)}`);
    }
  }

  // The error a call raised, or a failure when it did not raise.
  async raises(what, call) {
    try {
      const answer = await call();
      this.failures.push(`${what}: expected an error, got ${describe(answer && answer.id)}`);
      return null;
    } catch (err) {
      this.passed += 1;
      return err;
    }
  }
}

// Runs one scenario; the exit status and the printed lines are what pytest reports.
function run(name, body) {
  const checks = new Checks();
  body(checks, client())
    .catch((err) => checks.failures.push(`stopped by ${describe(err)}`))
    .finally(() => {
      for (const failure of checks.failures) {
        console.log(`FAIL ${name}: ${failure}`);
      }
      console.log(`${name}: ${checks.passed} checks passed, ${checks.failures.length} failed`);
      process.exitCode = checks.failures.length ? 1 : 0;
    });
}

function unescapeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// The first POST form of a page: its absolute action and its hidden fields.
function postForm(html, pageUrl) {
  const form = /<form\b[^>]*\bmethod="post"[^>]*>/i.exec(html);
  if (!form) {
    throw new Error(`no POST form on ${pageUrl}`);
  }
  const action = /\baction="([^"]*)"/i.exec(form[0]);
  const fields = {};
  const hidden = /<input\b[^>]*\btype="hidden"[^>]*>/gi;
  for (const input of html.slice(form.index).match(hidden) || []) {
    const name = /\bname="([^"]*)"/i.exec(input);
    const value = /\bvalue="([^"]*)"/i.exec(input);
    if (name) {
      fields[unescapeHtml(name[1])] = value ? unescapeHtml(value[1]) : '';
    }
  }
  return {action: new URL(unescapeHtml(action ? action[1] : ''), pageUrl).href, fields};
}

async function openPage(url) {
  const page = await fetch(url, {redirect: 'manual'});
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(`GET ${url} answered ${page.status}: ${html.slice(0, 300)}`);
  }
  return html;
}

async function submit(form, extra) {
  const body = new URLSearchParams({...form.fields, ...extra});
  const answer = await fetch(form.action, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
  });
  const html = await answer.text();
  const location = answer.headers.get('location');
  return {
    status: answer.status,
    location: location && new URL(location, form.action).href,
    html,
  };
}

// An expiry three years ahead, typed as "MM / YY" like a customer would.
function futureExpiry() {
  const now = new Date();
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  const year = String((now.getUTCFullYear() + 3) % 100).padStart(2, '0');
  return `${month} / ${year}`;
}

// The customer types a card on the hosted Checkout page of sessionUrl and submits it.
async function payOnCheckoutPage(sessionUrl, number) {
  const form = postForm(await openPage(sessionUrl), sessionUrl);
  const cvc = /^3[47]/.test(number) ? '1234' : '123';
  return submit(form, {number, expiry: futureExpiry(), cvc, name: 'Jenny Rosen'});
}

// The customer answers the 3-D Secure challenge page at challengeUrl ("complete" or "fail").
async function answerChallenge(challengeUrl, outcome) {
  const form = postForm(await openPage(challengeUrl), challengeUrl);
  return submit(form, {outcome});
}

// Expected when a submitted page goes on to the merchant's success_url.
function successUrl(session) {
  return session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id);
}

async function setupSession(stripe, email) {
  const customer = await stripe.customers.create({email});
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    customer: customer.id,
    success_url: 'https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.example/cart',
  });
  return {customer, session};
}

module.exports = {
  answerChallenge,
  client,
  describe,
  payOnCheckoutPage,
  run,
  setupSession,
  successUrl,
};

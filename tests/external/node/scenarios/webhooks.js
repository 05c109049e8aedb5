'use strict';
// Webhooks: the app's endpoint verifies every delivery with stripe.webhooks.constructEvent on
// the raw body, the Stripe-Signature header and the endpoint secret; a changed body fails.
// Stripe: docs.stripe.com/webhooks#verify-events and docs.stripe.com/webhooks/signature.
// The endpoint starts first and prints "LISTENING <port>"; pytest points the FakeServer at it
// and sends a line on stdin, then the scenario makes the objects whose events it waits for.
const http = require('node:http');
const {describe, run} = require('../lib');

const EXPECTED = ['customer.created', 'payment_method.attached', 'payment_intent.succeeded',
  'charge.succeeded'];

run('webhooks', async (check, stripe) => {
  const secret = process.env.FAKE_WEBHOOK_SECRET;
  const seen = [];
  const problems = [];
  const endpoint = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const event = stripe.webhooks.constructEvent(body, req.headers['stripe-signature'], secret);
        seen.push(event);
        res.writeHead(200).end('ok');
      } catch (err) {
        problems.push(`${req.headers['stripe-signature']}: ${describe(err)}`);
        res.writeHead(400).end('bad signature');
      }
      if (seen.length === 1) {
        // The same delivery with one byte changed must not verify.
        const tampered = Buffer.from(body.toString('utf8').replace('"livemode": false',
          '"livemode": true').replace('"livemode":false', '"livemode":true'));
        try {
          stripe.webhooks.constructEvent(tampered, req.headers['stripe-signature'], secret);
          problems.push('a changed body verified');
        } catch (err) {
          check.equal('a changed body fails verification', 'StripeSignatureVerificationError',
            err.type);
        }
      }
    });
  });
  await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  console.log(`LISTENING ${endpoint.address().port}`);
  await new Promise((resolve) => process.stdin.once('data', resolve));

  const customer = await stripe.customers.create({email: 'hooks@example.com'});
  const pm = await stripe.paymentMethods.attach('pm_card_visa', {customer: customer.id});
  const intent = await stripe.paymentIntents.create({
    amount: 3100, currency: 'usd', customer: customer.id, payment_method: pm.id,
    off_session: true, confirm: true,
  });
  const deadline = Date.now() + 20000;
  const types = () => seen.map((event) => event.type);
  while (!EXPECTED.every((type) => types().includes(type)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  endpoint.close();
  check.equal('no delivery failed verification', [], problems);
  for (const type of EXPECTED) {
    check.ok(`${type} arrived and verified`, types().includes(type), `got ${types().join(', ')}`);
  }
  const byType = Object.fromEntries(seen.map((event) => [event.type, event]));
  const about = (type) => byType[type] && byType[type].data.object.id;
  check.equal('the events are about our objects',
    [customer.id, pm.id, intent.id, intent.latest_charge],
    EXPECTED.map(about));
  for (const event of seen) {
    check.ok(`${event.id} is an event`, event.object === 'event' && /^evt_/.test(event.id) &&
      event.livemode === false, JSON.stringify([event.object, event.id, event.livemode]));
  }
});

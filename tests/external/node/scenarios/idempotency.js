'use strict';
// Idempotency-Key: the same key replays the first answer (Idempotent-Replayed: true) and
// creates nothing more; the same key with other parameters is an idempotency_error (400).
// Stripe: docs.stripe.com/api/idempotent_requests.
const {run} = require('../lib');

run('idempotency', async (check, stripe) => {
  const first = await stripe.customers.create({email: 'once@example.com'},
    {idempotencyKey: 'node-customer-1'});
  const again = await stripe.customers.create({email: 'once@example.com'},
    {idempotencyKey: 'node-customer-1'});
  check.equal('the replay answers the same customer', first.id, again.id);
  check.equal('Idempotent-Replayed on the replay', 'true',
    again.lastResponse.headers['idempotent-replayed']);
  const customers = await stripe.customers.list({limit: 100});
  check.equal('one customer exists', [first.id], customers.data.map((c) => c.id));

  const err = await check.raises('the same key with other parameters',
    () => stripe.customers.create({email: 'other@example.com'}, {idempotencyKey: 'node-customer-1'}));
  if (err) {
    check.equal('error class, status and type', ['StripeIdempotencyError', 400, 'idempotency_error'],
      [err.type, err.statusCode, err.rawType]);
  }

  const charge = {
    amount: 1500, currency: 'usd', customer: first.id, payment_method: 'pm_card_visa',
    off_session: true, confirm: true,
  };
  const paid = await stripe.paymentIntents.create(charge, {idempotencyKey: 'node-order-7'});
  const replayed = await stripe.paymentIntents.create(charge, {idempotencyKey: 'node-order-7'});
  check.equal('the charge replays', [paid.id, 'succeeded'], [replayed.id, replayed.status]);
  const intents = await stripe.paymentIntents.list({customer: first.id});
  check.equal('one PaymentIntent exists', [paid.id], intents.data.map((pi) => pi.id));
});

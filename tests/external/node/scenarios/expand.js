'use strict';
// expand: latest_charge on a PaymentIntent answer; setup_intent.payment_method on a completed
// Checkout Session; payment_method on a SetupIntent; data.latest_charge in a list.
// Stripe: docs.stripe.com/api/expanding_objects (expandable fields are marked "Expandable" in the
// API reference: PaymentIntent.latest_charge, Session.setup_intent, SetupIntent.payment_method).
const {payOnCheckoutPage, run, setupSession} = require('../lib');

function offSessionCharge(stripe, customer, amount, extra) {
  return stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer: customer.id,
    payment_method: 'pm_card_visa',
    confirm: true,
    off_session: true,
    ...extra,
  });
}

run('expand', async (check, stripe) => {
  await check.section('expand latest_charge', async () => {
    const customer = await stripe.customers.create({email: 'expand@example.com'});
    const intent = await offSessionCharge(stripe, customer, 4200, {expand: ['latest_charge']});
    const charge = intent.latest_charge;
    check.equal('latest_charge is expanded', 'charge', charge && charge.object);
    if (charge && charge.object === 'charge') {
      check.equal('the charge', [4200, 'usd', true, true, 'succeeded', intent.id, customer.id],
        [charge.amount, charge.currency, charge.paid, charge.captured, charge.status,
          charge.payment_intent, charge.customer]);
      const fetched = await stripe.charges.retrieve(charge.id);
      check.equal('GET /v1/charges/{id}', charge.id, fetched.id);
    }
  });

  await check.section('expand setup_intent.payment_method', async () => {
    const {session} = await setupSession(stripe, 'expand-setup@example.com');
    await payOnCheckoutPage(session.url, '5555555555554444');
    const done = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['setup_intent.payment_method'],
    });
    const setup = done.setup_intent;
    const method = setup && setup.payment_method;
    check.equal('setup_intent is expanded', 'setup_intent', setup && setup.object);
    check.equal('setup_intent.payment_method is expanded', ['payment_method', 'mastercard'],
      [method && method.object, method && method.card && method.card.brand]);
    if (setup && setup.id) {
      const direct = await stripe.setupIntents.retrieve(setup.id, {expand: ['payment_method']});
      check.equal('SetupIntent retrieve expand payment_method', 'payment_method',
        direct.payment_method && direct.payment_method.object);
    }
  });

  await check.section('expand data.latest_charge', async () => {
    const customer = await stripe.customers.create({email: 'expand-list@example.com'});
    await offSessionCharge(stripe, customer, 700, {});
    const listed = await stripe.paymentIntents.list({
      customer: customer.id,
      expand: ['data.latest_charge'],
    });
    check.equal('expand inside a list', ['charge'],
      listed.data.map((pi) => pi.latest_charge && pi.latest_charge.object));
  });
});

'use strict';
// Save a card with setup-mode Checkout: the customer pays on the hosted page over HTTP.
// Stripe: docs.stripe.com/payments/save-and-reuse?platform=checkout (the session answers its
// SetupIntent at once; after completion, retrieve with expand setup_intent.payment_method);
// the create-time fields are those recorded from test mode in shared/reference/stripe-facts.md.
const {payOnCheckoutPage, run, setupSession, successUrl} = require('../lib');

run('checkout_setup', async (check, stripe) => {
  const {customer, session} = await setupSession(stripe, 'jenny@example.com');
  check.equal('session.status at create', 'open', session.status);
  check.ok('session.setup_intent at create is a seti_ id', /^seti_/.test(session.setup_intent),
    `got ${JSON.stringify(session.setup_intent)}`);
  check.equal('session.payment_method_collection', 'always', session.payment_method_collection);
  check.equal('session.payment_status', 'no_payment_required', session.payment_status);
  check.equal('session.customer_details.email', 'jenny@example.com',
    session.customer_details && session.customer_details.email);

  const answer = await payOnCheckoutPage(session.url, '4242424242424242');
  check.equal('POST of the card form', [303, successUrl(session)], [answer.status, answer.location]);

  const done = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['setup_intent.payment_method'],
  });
  const intent = done.setup_intent;
  const method = intent && intent.payment_method;
  check.equal('session.status after the form', 'complete', done.status);
  check.equal('setup_intent.status', 'succeeded', intent && intent.status);
  check.equal('setup_intent.usage', 'off_session', intent && intent.usage);
  check.equal('payment_method card', ['card', 'visa', '4242'],
    [method && method.type, method && method.card.brand, method && method.card.last4]);
  check.equal('payment_method.customer', customer.id, method && method.customer);
  if (/^seti_/.test(session.setup_intent)) {
    check.equal('the SetupIntent named at create is the one completed', session.setup_intent,
      intent && intent.id);
  }
  const saved = await stripe.customers.listPaymentMethods(customer.id, {type: 'card'});
  check.equal("the customer's saved cards", [method && method.id], saved.data.map((pm) => pm.id));
});

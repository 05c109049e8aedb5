'use strict';
// 3-D Secure at setup with 4000 0025 0000 3155: the hosted page sends the customer to the
// challenge; once it is passed the session completes, and later off-session charges succeed.
// Stripe: docs.stripe.com/testing, 3-D Secure test cards: ...3155 needs authentication for
// one-time payments and at setup; once set up, later off-session payments need none
// (also stripe-facts.md's test card table).
const {answerChallenge, payOnCheckoutPage, run, setupSession, successUrl} = require('../lib');

run('three_d_secure_setup', async (check, stripe) => {
  const {customer, session} = await setupSession(stripe, 'sca@example.com');
  const answer = await payOnCheckoutPage(session.url, '4000002500003155');
  check.equal('the card form answers a redirect', 303, answer.status);
  const waiting = await stripe.checkout.sessions.retrieve(session.id, {expand: ['setup_intent']});
  check.equal('session while the challenge is open', 'open', waiting.status);
  check.equal('setup_intent while the challenge is open', 'requires_action',
    waiting.setup_intent && waiting.setup_intent.status);

  const passed = await answerChallenge(answer.location, 'complete');
  check.equal('the passed challenge goes on to success_url', [303, successUrl(session)],
    [passed.status, passed.location]);
  const done = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['setup_intent.payment_method'],
  });
  check.equal('session after the challenge', 'complete', done.status);
  const intent = done.setup_intent;
  check.equal('setup_intent after the challenge', 'succeeded', intent && intent.status);
  const method = intent && intent.payment_method;
  check.equal('saved card', '3155', method && method.card && method.card.last4);

  const charge = await stripe.paymentIntents.create({
    amount: 1999,
    currency: 'usd',
    customer: customer.id,
    payment_method: method.id,
    off_session: true,
    confirm: true,
  });
  check.equal('later off-session charge', 'succeeded', charge.status);
  check.ok('the charge names its Charge', /^ch_/.test(charge.latest_charge),
    `latest_charge ${JSON.stringify(charge.latest_charge)}`);
});

'use strict';
// One off-session charge per card outcome (CARD_CASE names it). Stripe: stripe-facts.md's test
// card table and docs.stripe.com/payments/save-and-reuse (charge later: a 402 card_error with
// code authentication_required embeds the PaymentIntent, left requires_payment_method, with its
// client_secret); docs.stripe.com/testing#declined-payments for the decline codes; ...0341
// attaches to a customer, but charging it fails.
const {describe, run} = require('../lib');

const CASES = {
  success: {pm: 'pm_card_visa', attach: true},
  authentication_required: {
    pm: 'pm_card_authenticationRequired', attach: true, code: 'authentication_required',
  },
  insufficient_funds: {
    pm: 'pm_card_visa_chargeDeclinedInsufficientFunds', attach: false,
    code: 'card_declined', declineCode: 'insufficient_funds',
  },
  card_declined: {
    pm: 'pm_card_visa_chargeDeclined', attach: false,
    code: 'card_declined', declineCode: 'generic_decline',
  },
  charge_customer_fail: {pm: 'pm_card_chargeCustomerFail', attach: true, code: 'card_declined'},
};

run(`off_session ${process.env.CARD_CASE}`, async (check, stripe) => {
  const card = CASES[process.env.CARD_CASE];
  const customer = await stripe.customers.create({email: 'later@example.com'});
  let pm = card.pm;
  if (card.attach) {
    const attached = await stripe.paymentMethods.attach(card.pm, {customer: customer.id});
    check.ok('attach makes a new pm_ id', /^pm_/.test(attached.id) && attached.id !== card.pm,
      `got ${attached.id}`);
    check.equal('attached to', customer.id, attached.customer);
    pm = attached.id;
  }
  const params = {
    amount: 2500,
    currency: 'usd',
    customer: customer.id,
    payment_method: pm,
    off_session: true,
    confirm: true,
  };
  if (!card.code) {
    const intent = await stripe.paymentIntents.create(params);
    check.equal('status', 'succeeded', intent.status);
    check.equal('amount_received', 2500, intent.amount_received);
    check.ok('latest_charge is a ch_ id', /^ch_/.test(intent.latest_charge),
      JSON.stringify(intent.latest_charge));
    return;
  }
  const err = await check.raises('the charge', () => stripe.paymentIntents.create(params));
  if (!err) {
    return;
  }
  check.equal('error class and status', ['StripeCardError', 402], [err.type, err.statusCode]);
  check.equal('error code', card.code, err.code);
  if (card.declineCode) {
    check.equal('decline_code', card.declineCode, err.decline_code);
  } else if (card.code === 'card_declined') {
    check.ok('a decline_code is given', typeof err.decline_code === 'string', describe(err.raw));
  }
  const embedded = err.payment_intent;
  check.ok('the error embeds the PaymentIntent', embedded && /^pi_/.test(embedded.id),
    JSON.stringify(embedded && embedded.id));
  if (!embedded) {
    return;
  }
  check.equal('embedded intent status', 'requires_payment_method', embedded.status);
  check.ok('embedded intent has its client_secret',
    typeof embedded.client_secret === 'string' && embedded.client_secret.startsWith(embedded.id),
    JSON.stringify(embedded.client_secret));
  check.equal('embedded last_payment_error.code', card.code,
    embedded.last_payment_error && embedded.last_payment_error.code);
  const stored = await stripe.paymentIntents.retrieve(embedded.id);
  check.equal('retrieved intent status', 'requires_payment_method', stored.status);
});

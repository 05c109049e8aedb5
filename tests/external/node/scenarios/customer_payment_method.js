'use strict';
// customers.create with payment_method and invoice_settings.default_payment_method naming the
// same pm_card_visa: Stripe attaches one new pm_ and makes it the default; expand
// invoice_settings.default_payment_method returns it. Stripe: the API reference's
// customers/create (payment_method, invoice_settings.default_payment_method) and the Billing
// quickstart, which creates its test customer exactly so.
const {run} = require('../lib');

run('customer_payment_method', async (check, stripe) => {
  const customer = await stripe.customers.create({
    email: 'billing@example.com',
    payment_method: 'pm_card_visa',
    invoice_settings: {default_payment_method: 'pm_card_visa'},
  });
  const chosen = customer.invoice_settings && customer.invoice_settings.default_payment_method;
  check.ok('default_payment_method is a new pm_ id', typeof chosen === 'string' &&
    chosen.startsWith('pm_') && chosen !== 'pm_card_visa', JSON.stringify(chosen));
  const saved = await stripe.paymentMethods.list({customer: customer.id, type: 'card'});
  check.equal('exactly that card is attached', [chosen], saved.data.map((pm) => pm.id));

  const expanded = await stripe.customers.retrieve(customer.id, {
    expand: ['invoice_settings.default_payment_method'],
  });
  const method = expanded.invoice_settings.default_payment_method;
  check.equal('expanded default_payment_method',
    ['payment_method', chosen, customer.id, 'visa', '4242'],
    [method && method.object, method && method.id, method && method.customer,
      method && method.card && method.card.brand, method && method.card && method.card.last4]);

  const intent = await stripe.paymentIntents.create({
    amount: 999, currency: 'usd', customer: customer.id, payment_method: chosen,
    off_session: true, confirm: true,
  });
  check.equal('the default card charges off-session', 'succeeded', intent.status);
});

'use strict';
// Lists over more than 100 objects: autoPagingEach walks every page with starting_after, newest
// first; by hand, limit=100 gives has_more and starting_after the rest.
// Stripe: docs.stripe.com/api/pagination and docs.stripe.com/api/pagination/auto.
const {run} = require('../lib');

const COUNT = 105;

run('pagination', async (check, stripe) => {
  const created = [];
  for (let i = 0; i < COUNT; i += 1) {
    created.push((await stripe.customers.create({email: `page${i}@example.com`})).id);
  }
  const walked = [];
  await stripe.customers.list({limit: 40}).autoPagingEach((customer) => {
    walked.push(customer.id);
  });
  check.equal('autoPagingEach sees every customer once', COUNT, new Set(walked).size);
  check.equal('autoPagingEach count', COUNT, walked.length);
  check.equal('newest first', [...created].reverse(), walked);

  const first = await stripe.customers.list({limit: 100});
  check.equal('first page', [100, true, '/v1/customers'], [first.data.length, first.has_more, first.url]);
  const rest = await stripe.customers.list({limit: 100, starting_after: first.data[99].id});
  check.equal('second page', [COUNT - 100, false], [rest.data.length, rest.has_more]);
  const back = await stripe.customers.list({limit: 3, ending_before: rest.data[0].id});
  check.equal('ending_before gives the objects just before', walked.slice(97, 100),
    back.data.map((c) => c.id));
  const array = await stripe.customers.list({limit: 100}).autoPagingToArray({limit: 1000});
  check.equal('autoPagingToArray', COUNT, array.length);
});

// title: Money flows with amounts, largest first
// title_zh: 资金流向(按金额从大到小)
// description: Investments and grants that state an amount, with the source that reports each
//   one. Parallel investments (for example an initial and a planned round) are separate rows.
// param: currency (string, default null): only this currency (CNY, USD...)
MATCH (i:Entity)-[r:INVESTS_IN|GRANTS_TO]->(x:Entity)
WHERE r.amount IS NOT NULL AND ($currency IS NULL OR r.currency = $currency)
RETURN i.name AS from, type(r) AS how, x.name AS to, r.amount AS amount, r.currency AS currency, r.source AS source
ORDER BY amount DESC, from, to

// title: Amounts invested per chain and region
// title_zh: 按链条和地区汇总的投资金额
// description: Investments and grants with a known amount, summed per chain of the recipient
//   (innovation = research organisations and technologies, industrial = enterprises, parks,
//   pilot platforms and projects, otherwise bridge), per recipient region and per currency.
//   Parallel investments are counted one by one.
MATCH (i:Entity)-[r:INVESTS_IN|GRANTS_TO]->(x:Entity)
WHERE r.amount IS NOT NULL
WITH r, x,
     CASE
       WHEN x:ResearchOrganisation OR x:Technology THEN 'innovation'
       WHEN x:Enterprise OR x:IndustrialPark OR x:PilotPlatform OR x:PilotProject THEN 'industrial'
       WHEN x:Investor THEN 'capital'
       ELSE 'bridge'
     END AS chain
RETURN chain, x.region AS region, r.currency AS currency, sum(r.amount) AS total, count(r) AS deals
ORDER BY chain, region, currency

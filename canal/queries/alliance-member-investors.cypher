// title: Investors of an alliance's members
// title_zh: 联盟成员单位的投资方
// description: Who invested in (or granted money to) the members of an alliance, with the
//   member's role in the alliance and the amount when it is known. Parallel investments are
//   listed one by one.
// param: alliance (string, default "cas-am-alliance"): id of the Alliance
MATCH (m:Organisation)-[mo:MEMBER_OF]->(a:Alliance {id: $alliance})
MATCH (i:Entity)-[r:INVESTS_IN|GRANTS_TO]->(m)
RETURN m.name AS member, mo.role AS role, i.name AS investor, type(r) AS how, r.amount AS amount, r.currency AS currency
ORDER BY member, investor, how, amount

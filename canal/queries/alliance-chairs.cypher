// title: Alliances, their chairman units and their size
// title_zh: 联盟及其理事长单位
// description: Every alliance with the organisation that leads it (a LEADS relationship or a
//   membership whose role names the chair) and the number of members. Alliances without a
//   recorded chair show an empty chair.
MATCH (a:Alliance)
OPTIONAL MATCH (m:Organisation)-[mo:MEMBER_OF]->(a)
WITH a, count(mo) AS members
OPTIONAL MATCH (c:Organisation)-[x:LEADS|MEMBER_OF]->(a)
WHERE type(x) = 'LEADS' OR toLower(coalesce(x.role, '')) CONTAINS 'chair'
WITH a, members, collect(DISTINCT c.name) AS chairs
RETURN a.id AS alliance, a.name AS name, a.nameZh AS name_zh, chairs, members
ORDER BY alliance

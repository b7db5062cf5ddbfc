// title: Organisations that adopted technologies from several institutes
// title_zh: 采用多家科研机构技术的单位
// description: Organisations that adopted technologies developed by at least $min_institutes
//   different research organisations: the places where several labs' results meet in one
//   enterprise (or institute).
// param: min_institutes (integer, default 2): minimum number of distinct source institutes
MATCH (i:ResearchOrganisation)-[:DEVELOPS]->(t:Technology)<-[:ADOPTS]-(e:Organisation)
WITH e, i, t ORDER BY i.name, t.name
WITH e, collect(DISTINCT i.name) AS institutes, collect(DISTINCT t.name) AS technologies
WHERE size(institutes) >= $min_institutes
RETURN e.id AS adopter, e.name AS name, institutes, technologies
ORDER BY adopter

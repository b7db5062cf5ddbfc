// title: Shortest links between a lab and the funds
// title_zh: 实验室与基金之间的最短联系
// description: The shortest chains of relationships (in either direction) between one research
//   organisation and each fund within four steps, with the names and relationship types along
//   the way; parallel relationships give separate chains. A bounded variable-length match rather
//   than shortestPath, because FalkorDB's shortestPath is directed only and allowed only in
//   WITH/RETURN (see shortest-directed-path).
// param: lab (string, default "nanometal-team"): id of the lab or institute
MATCH (a:Entity {id: $lab})
MATCH p = (a)-[*1..4]-(f:Fund)
WHERE f.id <> a.id
WITH f, p, length(p) AS hops
WITH f, min(hops) AS best, collect({hops: hops, names: [n IN nodes(p) | n.name], links: [r IN relationships(p) | type(r)]}) AS paths
UNWIND paths AS path
WITH f, best, path
WHERE path.hops = best
RETURN f.id AS fund, best AS hops, path.names AS names, path.links AS links
ORDER BY hops, fund, names, links

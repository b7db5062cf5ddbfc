// title: Shortest directed path between two entities
// title_zh: 两个实体之间的最短有向路径
// description: One shortest path that follows relationship directions from one entity to
//   another (shortestPath in a WITH clause: the form both FalkorDB and Neo4j accept), as the
//   names and relationship types along it.
// param: from (string, default "dicp"): id of the start
// param: to (string, default "food-packaging"): id of the end
MATCH (a:Entity {id: $from})
MATCH (b:Entity {id: $to})
WITH shortestPath((a)-[*1..8]->(b)) AS p
WHERE p IS NOT NULL
RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS names, [r IN relationships(p) | type(r)] AS links

// title: Upstream and downstream of an industry segment or product
// title_zh: 产业链环节或产品的上下游
// description: Segments and products up to three UPSTREAM_OF steps before and after the given
//   one, with the distance (negative = upstream, positive = downstream).
// param: segment (string, default "polyolefins"): id of the IndustrySegment or Product
CALL {
  MATCH p = (u:Entity)-[:UPSTREAM_OF*1..3]->(s:Entity {id: $segment})
  RETURN -length(p) AS distance, u.id AS id, u.name AS name
  UNION
  MATCH p = (s:Entity {id: $segment})-[:UPSTREAM_OF*1..3]->(d:Entity)
  RETURN length(p) AS distance, d.id AS id, d.name AS name
}
RETURN distance, id, name
ORDER BY distance, id

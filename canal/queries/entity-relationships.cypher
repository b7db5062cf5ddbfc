// title: Everything one entity is linked to, with evidence
// title_zh: 某一实体的全部关系及证据
// description: All relationships of one entity in both directions: the type, the direction,
//   the other end and the evidence note and source of each relationship.
// param: id (string, default "levima"): id of the entity
CALL {
  MATCH (n:Entity {id: $id})-[r]->(m:Entity)
  RETURN 'out' AS direction, type(r) AS link, m.id AS other, m.name AS other_name, r.role AS role, r.source AS source, r.evidence AS evidence
  UNION ALL
  MATCH (n:Entity {id: $id})<-[r]-(m:Entity)
  RETURN 'in' AS direction, type(r) AS link, m.id AS other, m.name AS other_name, r.role AS role, r.source AS source, r.evidence AS evidence
}
RETURN direction, link, other, other_name, role, source, evidence
ORDER BY direction DESC, link, other

// title: The sources behind what the graph says about an entity
// title_zh: 某实体相关事实的信息来源
// description: Provenance: for one entity, each source cited by the entity itself or by its
//   relationships, with the title, publisher and the number of facts it supports.
// param: id (string, default "levima"): id of the entity
MATCH (n:Entity {id: $id})
OPTIONAL MATCH (n)-[r]-(:Entity)
WITH n, collect(r) AS rels
UNWIND [n] + rels AS fact
WITH fact
WHERE fact IS NOT NULL
RETURN fact.source AS source, fact.sourceTitle AS title, fact.publisher AS publisher, count(*) AS facts
ORDER BY facts DESC, source

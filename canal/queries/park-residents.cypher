// title: Organisations located in a park or region, up to three levels down
// title_zh: 位于某园区或地区内的机构(含三级以内下级区域)
// description: Organisations whose chain of LOCATED_IN relationships reaches the given park or
//   region within three steps, with the place they are directly located in.
// param: place (string, default "hexi-district"): id of the industrial park or region
MATCH (o:Organisation)-[:LOCATED_IN*1..3]->(p:Entity {id: $place})
MATCH (o)-[:LOCATED_IN]->(direct:Entity)
WITH DISTINCT o, direct
RETURN o.id AS id, o.name AS name, direct.name AS located_in
ORDER BY id, located_in

// title: Enterprises, products and technologies in an industry segment and its sub-segments
// title_zh: 某产业链环节(含子环节)中的企业、产品与技术
// description: Everything filed under an industry segment directly or through sub-segments
//   (PART_OF_SEGMENT up to three steps), with the segment it is filed under.
// param: segment (string, default "advanced-materials"): id of the IndustrySegment
MATCH (x:Entity)-[:PART_OF_SEGMENT]->(s:IndustrySegment)-[:PART_OF_SEGMENT*0..3]->(top:IndustrySegment {id: $segment})
WHERE x:Enterprise OR x:Product OR x:Technology
WITH DISTINCT x, s
RETURN CASE WHEN x:Enterprise THEN 'Enterprise' WHEN x:Product THEN 'Product' ELSE 'Technology' END AS kind, x.id AS id, x.name AS name, s.name AS segment
ORDER BY kind, id, segment

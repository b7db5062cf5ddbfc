// title: Customers of an enterprise by kind and region
// title_zh: 企业客户(按类型和地区)
// description: Organisations recorded as customers of an enterprise, grouped into universities,
//   research institutes and enterprises, with their region.
// param: enterprise (string, default "bmf"): id of the Enterprise
MATCH (c:Organisation)-[:CUSTOMER_OF]->(e:Enterprise {id: $enterprise})
RETURN CASE WHEN c:University THEN 'university' WHEN c:ResearchOrganisation THEN 'research institute' WHEN c:Enterprise THEN 'enterprise' ELSE 'other' END AS kind,
       c.region AS region, c.name AS customer
ORDER BY kind, region, customer

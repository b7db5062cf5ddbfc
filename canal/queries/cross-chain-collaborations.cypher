// title: Collaborations between research, industry, government and capital
// title_zh: 科研、产业、政府与资本之间的合作
// description: COLLABORATES_WITH relationships between organisations of different kinds (the
//   relationship is symmetric; each pair is listed once, in stored direction).
MATCH (a:Organisation)-[r:COLLABORATES_WITH]->(b:Organisation)
WITH a, b,
     CASE WHEN a:ResearchOrganisation THEN 'research' WHEN a:Enterprise THEN 'industry' WHEN a:GovernmentBody THEN 'government' WHEN a:Investor THEN 'capital' WHEN a:IndustrialPark THEN 'park' ELSE 'other' END AS ka,
     CASE WHEN b:ResearchOrganisation THEN 'research' WHEN b:Enterprise THEN 'industry' WHEN b:GovernmentBody THEN 'government' WHEN b:Investor THEN 'capital' WHEN b:IndustrialPark THEN 'park' ELSE 'other' END AS kb
WHERE ka <> kb
RETURN a.name AS from, ka AS from_kind, b.name AS to, kb AS to_kind
ORDER BY from, to

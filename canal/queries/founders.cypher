// title: Who founded what
// title_zh: 创办关系
// description: Organisations with their founders (people or organisations), optionally only
//   those founded by people.
// param: people_only (boolean, default false): only founders who are people
MATCH (o:Organisation)-[:FOUNDED_BY]->(f:Entity)
WHERE NOT $people_only OR f:Person
RETURN o.name AS organisation, f.name AS founder, CASE WHEN f:Person THEN 'person' ELSE 'organisation' END AS founder_kind
ORDER BY organisation, founder

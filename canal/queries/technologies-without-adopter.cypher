// title: Technologies that have not reached an adopter yet
// title_zh: 尚无采用方的技术
// description: Developed technologies that no organisation adopted, licensed or took over, with
//   their developers and any pilot project built on them: candidates for matchmaking with
//   enterprises and pilot platforms.
MATCH (d:Entity)-[:DEVELOPS]->(t:Technology)
WHERE NOT (t)<-[:ADOPTS]-() AND NOT (t)-[:LICENSED_TO|TRANSFERRED_TO]->()
OPTIONAL MATCH (p:PilotProject)-[:BASED_ON]->(t)
WITH t, collect(DISTINCT d.name) AS developers, collect(DISTINCT p.name) AS pilot_projects
RETURN t.id AS technology, t.name AS name, developers, pilot_projects
ORDER BY technology
